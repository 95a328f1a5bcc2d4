{{/* The revision served: "" and "default" are the default revision. */}}
{{- define "si.revision" -}}
{{- .Values.revision | default "default" -}}
{{- end -}}

{{- define "si.isDefault" -}}
{{- if eq (include "si.revision" .) "default" }}true{{ end -}}
{{- end -}}

{{/* sidecar-injector, or sidecar-injector-<revision> (deploy/revisions/<R>'s nameSuffix). */}}
{{- define "si.name" -}}
{{- if include "si.isDefault" . }}sidecar-injector{{ else }}sidecar-injector-{{ .Values.revision }}{{ end -}}
{{- end -}}

{{- define "si.configMapName" -}}
{{- if include "si.isDefault" . }}sidecar-injector-config{{ else }}sidecar-injector-config-{{ .Values.revision }}{{ end -}}
{{- end -}}

{{- define "si.tlsSecretName" -}}
{{- .Values.tlsSecretName | default (printf "%s-tls" (include "si.name" .)) -}}
{{- end -}}

{{/* The pods of this revision, and only them. */}}
{{- define "si.selectorLabels" -}}
app: {{ include "si.name" . }}
{{- if not (include "si.isDefault" .) }}
istio.io/rev: {{ .Values.revision }}
{{- end }}
{{- end -}}

{{/*
Every object's labels: deploy/'s (and, for a revision, its app and istio.io/rev), then the two that only
Helm sets (test/deploy/helm-equivalence.test.ts ignores exactly these).
*/}}
{{- define "si.labels" -}}
{{- if not (include "si.isDefault" .) }}
{{ include "si.selectorLabels" . }}
{{- end }}
app.kubernetes.io/name: sidecar-injector
app.kubernetes.io/part-of: sidecar-injector
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "si.image" -}}
{{- $tag := .Values.tag | default .Chart.AppVersion -}}
{{- if contains "/" .Values.image -}}
{{ .Values.image }}
{{- else if .Values.hub -}}
{{ .Values.hub }}/{{ .Values.image }}:{{ $tag }}
{{- else -}}
{{ .Values.image }}:{{ $tag }}
{{- end -}}
{{- end -}}

{{/* Values that no schema can check alone: each fails `helm template` with what to change. */}}
{{- define "si.validate" -}}
{{- $rev := .Values.revision | toString -}}
{{- if and $rev (not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $rev)) -}}
{{- fail (printf "revision %q is not a DNS label: use lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. canary, 1-29-0)" $rev) -}}
{{- end -}}
{{- if gt (len $rev) 46 -}}
{{- fail (printf "revision %q is %d characters long: at most 46, so that sidecar-injector-<revision> is a DNS label" $rev (len $rev)) -}}
{{- end -}}
{{- if and .Values.autoscaleEnabled (gt (int .Values.autoscaleMin) (int .Values.autoscaleMax)) -}}
{{- fail (printf "autoscaleMin (%d) is greater than autoscaleMax (%d)" (int .Values.autoscaleMin) (int .Values.autoscaleMax)) -}}
{{- end -}}
{{- with .Values.podDisruptionBudget -}}
{{- if and .enabled (hasKey . "minAvailable") (hasKey . "maxUnavailable") -}}
{{- fail "podDisruptionBudget: set minAvailable or maxUnavailable, not both" -}}
{{- end -}}
{{- end -}}
{{- if and .Values.caBundle .Values.certManager.enabled -}}
{{- fail "caBundle and certManager.enabled: cert-manager's CA injector sets the caBundle; give one or the other" -}}
{{- end -}}
{{- end -}}
