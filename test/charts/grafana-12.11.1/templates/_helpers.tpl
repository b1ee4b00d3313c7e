{{/* Names, labels, the namespace and the admin Secret shared by the templates (test double). */}}

{{- define "grafana.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release> when the release name already contains the chart name, else <release>-<chart>. */}}
{{- define "grafana.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "grafana.name" . -}}
{{- ternary .Release.Name (printf "%s-%s" .Release.Name $name) (contains $name .Release.Name) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "grafana.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride -}}
{{- end -}}

{{- define "grafana.selectorLabels" -}}
app.kubernetes.io/name: {{ include "grafana.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "grafana.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 }}
{{ include "grafana.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "grafana.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "grafana.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Whether the chart creates the admin Secret itself (no existing Secret, no password from env). */}}
{{- define "grafana.createAdminSecret" -}}
{{- if not (or .Values.admin.existingSecret .Values.env.GF_SECURITY_ADMIN_PASSWORD .Values.env.GF_SECURITY_ADMIN_PASSWORD__FILE) -}}
true
{{- end -}}
{{- end -}}

{{- define "grafana.adminSecretName" -}}
{{- default (include "grafana.fullname" .) .Values.admin.existingSecret -}}
{{- end -}}

{{/* adminPassword if set, else the live Secret's password (lookup is empty under `helm template`), else random: the drift trap. */}}
{{- define "grafana.adminPasswordData" -}}
{{- $live := lookup "v1" "Secret" (include "grafana.namespace" .) (include "grafana.fullname" .) -}}
{{- if .Values.adminPassword -}}
{{- .Values.adminPassword | b64enc -}}
{{- else if $live -}}
{{- index $live.data "admin-password" -}}
{{- else -}}
{{- randAlphaNum 40 | b64enc -}}
{{- end -}}
{{- end -}}

{{/* One grafana.ini `key = value` line; string values go through tpl. */}}
{{- define "grafana.iniLine" -}}
{{- $key := index . 0 -}}{{- $value := index . 1 -}}{{- $root := index . 2 -}}
{{- if kindIs "invalid" $value -}}
{{ $key }} =
{{- else if kindIs "slice" $value -}}
{{ $key }} = {{ toJson $value }}
{{- else if kindIs "string" $value -}}
{{ $key }} = {{ tpl $value $root }}
{{- else -}}
{{ $key }} = {{ $value }}
{{- end -}}
{{- end -}}
