{{/* Names, labels and the namespace shared by the server's templates (test double). */}}

{{- define "prometheus.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release> when the release name already contains the chart name, else <release>-<chart>. */}}
{{- define "prometheus.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "prometheus.name" . -}}
{{- ternary .Release.Name (printf "%s-%s" .Release.Name $name) (contains $name .Release.Name) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The server's objects: <fullname>-server (release `prometheus` → prometheus-server). */}}
{{- define "prometheus.server.fullname" -}}
{{- printf "%s-%s" (include "prometheus.fullname" .) .Values.server.name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "prometheus.namespace" -}}
{{- default .Release.Namespace .Values.forceNamespace -}}
{{- end -}}

{{- define "prometheus.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "prometheus.server.selectorLabels" -}}
app.kubernetes.io/component: {{ .Values.server.name }}
app.kubernetes.io/name: {{ include "prometheus.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "prometheus.server.labels" -}}
{{ include "prometheus.server.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: {{ include "prometheus.name" . }}
helm.sh/chart: {{ include "prometheus.chart" . }}
{{- with .Values.commonMetaLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "prometheus.server.serviceAccountName" -}}
{{- if .Values.serviceAccounts.server.create -}}
{{- default (include "prometheus.server.fullname" .) .Values.serviceAccounts.server.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccounts.server.name -}}
{{- end -}}
{{- end -}}

{{/* The Alertmanager objects' name prefix, also when the subchart is disabled. */}}
{{- define "prometheus.alertmanager.name" -}}
{{- printf "%s-%s" .Release.Name "alertmanager" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The action of a server probe, as the real chart writes it: an HTTP GET of <prefixURL><path> with
server.probeScheme and server.probeHeaders, or (server.tcpSocketProbeEnabled) a TCP connection.
Takes (list .Values.server "/-/ready" <port>): the port is server.portName, else 9090.
*/}}
{{- define "prometheus.server.probeAction" -}}
{{- $server := index . 0 -}}
{{- $port := index . 2 -}}
{{- if $server.tcpSocketProbeEnabled -}}
tcpSocket:
  port: {{ $port }}
{{- else -}}
httpGet:
  path: {{ $server.prefixURL }}{{ index . 1 }}
  port: {{ $port }}
  scheme: {{ $server.probeScheme }}
  {{- with $server.probeHeaders }}
  httpHeaders:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
{{- end -}}
