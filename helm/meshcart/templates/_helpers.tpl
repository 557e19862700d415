{{/*
Shared helpers. Workload-level templates take a dict: (dict "root" $ "name" $name "w" $w)
where $w is the workload's values merged over .Values.defaults (see meshcart.workloads).
*/}}

{{/* The workloads map with defaults merged in, as YAML (use: include ... | fromYaml). */}}
{{- define "meshcart.workloads" -}}
{{- $out := dict -}}
{{- range $name, $w := .Values.workloads -}}
{{- $merged := mergeOverwrite (deepCopy $.Values.defaults) (deepCopy $w) -}}
{{- if not (has $merged.kind (list "grpc" "worker" "http")) -}}
{{- fail (printf "workloads.%s.kind must be grpc, worker or http (got %v)" $name $merged.kind) -}}
{{- end -}}
{{- $_ := set $out $name $merged -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* Labels of every object of the release, minus the instance label (see commonLabels). */}}
{{- define "meshcart.baseLabels" -}}
app.kubernetes.io/part-of: meshcart
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Labels of release-wide objects (not tied to one workload). */}}
{{- define "meshcart.commonLabels" -}}
{{ include "meshcart.baseLabels" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels of one workload's objects; `app` and `version` are the labels Istio telemetry reads. */}}
{{- define "meshcart.labels" -}}
{{ include "meshcart.baseLabels" .root }}
{{ include "meshcart.selectorLabels" . }}
app: {{ .name }}
version: {{ include "meshcart.tag" .root | quote }}
{{- end -}}

{{/* Selector labels: stable across upgrades (never add a version here). */}}
{{- define "meshcart.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "meshcart.tag" -}}
{{- .Values.image.tag | default .Chart.AppVersion -}}
{{- end -}}

{{/* Image reference: [<registry>/]meshcart/<workload>:<tag>, per-workload image.repository/tag win. */}}
{{- define "meshcart.image" -}}
{{- $img := .w.image | default dict -}}
{{- $repo := $img.repository | default (printf "meshcart/%s" .name) -}}
{{- $registry := .root.Values.image.registry -}}
{{- if $registry -}}{{- $repo = printf "%s/%s" (trimSuffix "/" $registry) $repo -}}{{- end -}}
{{- printf "%s:%s" $repo ($img.tag | default (include "meshcart.tag" .root)) -}}
{{- end -}}

{{/* In-cluster address of a workload's gRPC port (the *_ADDR env values). */}}
{{- define "meshcart.fqdn" -}}
{{- printf "%s.%s.svc.cluster.local" .name .root.Release.Namespace -}}
{{- end -}}

{{/* Mesh principal of a ServiceAccount in this namespace. */}}
{{- define "meshcart.principal" -}}
{{- printf "%s/ns/%s/sa/%s" .root.Values.istio.trustDomain .root.Release.Namespace .name -}}
{{- end -}}

{{/*
terminationGracePeriodSeconds: preStop sleep + SHUTDOWN_DEADLINE_MS (rounded up) + 5 s margin.
SHUTDOWN_DEADLINE_MS is the process's own bound from SIGTERM to exit (grace included, then it
gives up on whatever hangs, e.g. a frozen database), so the kubelet's SIGKILL never comes first.
*/}}
{{- define "meshcart.terminationGrace" -}}
{{- if le (int .w.shutdownDeadlineMs) (int .w.shutdownGraceMs) }}
{{- fail (printf "workloads.%s: shutdownDeadlineMs (%v) must be larger than shutdownGraceMs (%v): the grace period runs inside the deadline" .name .w.shutdownDeadlineMs .w.shutdownGraceMs) }}
{{- end }}
{{- $deadlineS := div (add (int .w.shutdownDeadlineMs) 999) 1000 -}}
{{- add (int .w.preStopSleepSeconds) $deadlineS 5 -}}
{{- end -}}

{{/* Pod-level security context shared by Deployments and migration Jobs. */}}
{{- define "meshcart.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level security context (restricted Pod Security Standard). */}}
{{- define "meshcart.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
readOnlyRootFilesystem: {{ .Values.podSecurity.readOnlyRootFilesystem }}
allowPrivilegeEscalation: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The call graph (files/call-graph.yaml) inverted: callee -> caller -> [methods]. */}}
{{- define "meshcart.calleeGraph" -}}
{{- $graph := .Files.Get "files/call-graph.yaml" | fromYaml -}}
{{- if not $graph.callers -}}{{- fail "files/call-graph.yaml has no callers map" -}}{{- end -}}
{{- $out := dict -}}
{{- range $caller, $callees := $graph.callers -}}
{{- range $callee, $methods := $callees -}}
{{- $byCaller := get $out $callee | default dict -}}
{{- $_ := set $byCaller $caller $methods -}}
{{- $_ := set $out $callee $byCaller -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/*
Dependency endpoints outside this namespace as a list of {host, port, protocol}: Temporal, each
database, the OTLP collector. Used for Sidecar egress and ServiceEntries.
*/}}
{{- define "meshcart.dependencies" -}}
{{- $deps := list -}}
{{- $t := splitList ":" .Values.temporal.address -}}
{{- $deps = append $deps (dict "host" (first $t) "port" (last $t | int) "protocol" "GRPC" "name" "temporal") -}}
{{- range $name, $w := .Values.workloads -}}
{{- if $w.database -}}
{{- $deps = append $deps (dict "host" $w.database.host "port" ($w.database.port | default 3306 | int) "protocol" "TCP" "name" (printf "mysql-%s" $name)) -}}
{{- end -}}
{{- end -}}
{{- if .Values.otel.endpoint -}}
{{- $u := urlParse .Values.otel.endpoint -}}
{{- $hp := splitList ":" $u.host -}}
{{- $deps = append $deps (dict "host" (first $hp) "port" (ternary (last $hp) "4318" (gt (len $hp) 1) | int) "protocol" "HTTP" "name" "otel-collector") -}}
{{- end -}}
{{- /* payments calls its PSP's API (HTTPS, TLS by the SDK itself): Stripe's, or apiBase. */ -}}
{{- if eq (.Values.payments.provider | default "") "stripe" -}}
{{- $u := urlParse (.Values.payments.stripe.apiBase | default "https://api.stripe.com") -}}
{{- $hp := splitList ":" $u.host -}}
{{- $deps = append $deps (dict "host" (first $hp) "port" (ternary (last $hp) (ternary "443" "80" (eq $u.scheme "https")) (gt (len $hp) 1) | int) "protocol" "TLS" "name" "stripe-api") -}}
{{- end -}}
{{- toYaml (dict "items" $deps) -}}
{{- end -}}

{{/*
TLS to MySQL and Temporal (values database.tls, temporal.tls, temporal.apiKey): env, mounts and
volumes, shared by the Deployments and the migration Jobs. Context: dict "root" $ "name" $name "w" $w.
The files land under /etc/meshcart-tls/<what>/ (whole directories, no subPath).
*/}}
{{- define "meshcart.tlsFrom" -}}
{{- if eq .from.kind "ConfigMap" -}}
configMap: { name: {{ .from.name }}, items: [{ key: {{ .from.key }}, path: {{ .path }} }] }
{{- else -}}
secret: { secretName: {{ .from.name }}, items: [{ key: {{ .from.key }}, path: {{ .path }} }] }
{{- end -}}
{{- end }}

{{- define "meshcart.dbTlsEnv" -}}
{{- $t := .root.Values.database.tls -}}
{{- if and .w.database $t.enabled }}
- { name: DATABASE_TLS_MODE, value: verify-full }
- { name: DATABASE_TLS_CA_FILE, value: /etc/meshcart-tls/db/ca.pem }
{{- with $t.serverName }}
- { name: DATABASE_TLS_SERVER_NAME, value: {{ . | quote }} }
{{- end }}
{{- end }}
{{- end }}

{{- define "meshcart.dbTlsMounts" -}}
{{- if and .w.database .root.Values.database.tls.enabled }}
- { name: db-tls, mountPath: /etc/meshcart-tls/db, readOnly: true }
{{- end }}
{{- end }}

{{- define "meshcart.dbTlsVolumes" -}}
{{- $t := .root.Values.database.tls -}}
{{- if and .w.database $t.enabled }}
- name: db-tls
  {{- include "meshcart.tlsFrom" (dict "from" (dict "kind" $t.caFrom.kind "name" (required "database.tls.caFrom.name is required with database.tls.enabled" $t.caFrom.name) "key" $t.caFrom.key) "path" "ca.pem") | nindent 2 }}
{{- end }}
{{- end }}

{{- define "meshcart.temporalTlsEnv" -}}
{{- $t := .root.Values.temporal.tls -}}
{{- $k := .root.Values.temporal.apiKey -}}
{{- if .w.usesTemporal }}
{{- if $t.enabled }}
- { name: TEMPORAL_TLS_MODE, value: verify-full }
{{- if $t.caFrom.name }}
- { name: TEMPORAL_TLS_CA_FILE, value: /etc/meshcart-tls/temporal-ca/ca.pem }
{{- end }}
{{- if hasKey $t.clientCerts .name }}
- { name: TEMPORAL_TLS_CERT_FILE, value: /etc/meshcart-tls/temporal-client/tls.crt }
- { name: TEMPORAL_TLS_KEY_FILE, value: /etc/meshcart-tls/temporal-client/tls.key }
{{- end }}
{{- with $t.serverName }}
- { name: TEMPORAL_TLS_SERVER_NAME, value: {{ . | quote }} }
{{- end }}
{{- end }}
{{- if $k.secretName }}
{{- if not $t.enabled }}{{ fail "temporal.apiKey needs temporal.tls.enabled: an API key is never sent in plaintext" }}{{ end }}
- name: TEMPORAL_API_KEY
  valueFrom:
    secretKeyRef: { name: {{ $k.secretName }}, key: {{ $k.secretKey }} }
{{- end }}
{{- with .root.Values.temporal.payloadEncryption.secretName }}
# Every saga payload AES-256-GCM encrypted in Temporal's history (@meshcart/saga/payload-codec).
- name: TEMPORAL_PAYLOAD_KEYS
  valueFrom:
    secretKeyRef: { name: {{ . }}, key: {{ $.root.Values.temporal.payloadEncryption.secretKey }} }
{{- end }}
{{- end }}
{{- end }}

{{- define "meshcart.temporalTlsMounts" -}}
{{- $t := .root.Values.temporal.tls -}}
{{- if and .w.usesTemporal $t.enabled }}
{{- if $t.caFrom.name }}
- { name: temporal-ca, mountPath: /etc/meshcart-tls/temporal-ca, readOnly: true }
{{- end }}
{{- if hasKey $t.clientCerts .name }}
- { name: temporal-client, mountPath: /etc/meshcart-tls/temporal-client, readOnly: true }
{{- end }}
{{- end }}
{{- end }}

{{- define "meshcart.temporalTlsVolumes" -}}
{{- $t := .root.Values.temporal.tls -}}
{{- if and .w.usesTemporal $t.enabled }}
{{- if $t.caFrom.name }}
- name: temporal-ca
  {{- include "meshcart.tlsFrom" (dict "from" $t.caFrom "path" "ca.pem") | nindent 2 }}
{{- end }}
{{- if hasKey $t.clientCerts .name }}
- name: temporal-client
  secret:
    secretName: {{ get $t.clientCerts .name }}
    items: [{ key: tls.crt, path: tls.crt }, { key: tls.key, path: tls.key }]
    defaultMode: 0440
{{- end }}
{{- end }}
{{- end }}
