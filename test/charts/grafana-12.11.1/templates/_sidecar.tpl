{{/* The k8s-sidecar container that copies labelled ConfigMaps/Secrets into the dashboards folder. */}}
{{- define "grafana.dashboardSidecar" -}}
{{- $sidecar := .Values.sidecar -}}
{{- $dashboards := $sidecar.dashboards -}}
{{- $adminSecret := include "grafana.adminSecretName" . -}}
- name: grafana-sc-dashboard
  image: "{{ $sidecar.image.registry }}/{{ $sidecar.image.repository }}:{{ $sidecar.image.tag }}"
  imagePullPolicy: {{ $sidecar.imagePullPolicy }}
  env:
    - name: METHOD
      value: {{ $dashboards.watchMethod | quote }}
    - name: LABEL
      value: {{ $dashboards.label | quote }}
    {{- with $dashboards.labelValue }}
    - name: LABEL_VALUE
      value: {{ . | toString | quote }}
    {{- end }}
    - name: FOLDER
      value: {{ $dashboards.folder | quote }}
    - name: RESOURCE
      value: {{ $dashboards.resource | quote }}
    {{- with $dashboards.folderAnnotation }}
    - name: FOLDER_ANNOTATION
      value: {{ . | quote }}
    {{- end }}
    {{- with $dashboards.searchNamespace }}
    - name: NAMESPACE
      value: {{ ternary (join "," .) (toString .) (kindIs "slice" .) | quote }}
    {{- end }}
    - name: REQ_URL
      value: {{ $dashboards.reloadURL | quote }}
    - name: REQ_METHOD
      value: POST
    - name: REQ_USERNAME
      valueFrom:
        secretKeyRef:
          name: {{ $adminSecret }}
          key: {{ .Values.admin.userKey | default "admin-user" }}
    - name: REQ_PASSWORD
      valueFrom:
        secretKeyRef:
          name: {{ $adminSecret }}
          key: {{ .Values.admin.passwordKey | default "admin-password" }}
  {{- with $sidecar.securityContext }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $sidecar.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  volumeMounts:
    - name: sc-dashboard-volume
      mountPath: {{ $dashboards.folder | quote }}
{{- end -}}
