package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// builtins: Tilt's API surface used by meshcart, with Tilt's parameter names. Anything else is
// an undefined name, which fails the check (add it here, with its real signature, when needed).
func (r *recorder) builtins() starlark.StringDict {
	none := func(a map[string]starlark.Value) (starlark.Value, error) { return starlark.None, nil }
	return starlark.StringDict{
		"struct": starlark.NewBuiltin("struct", starlarkstruct.Make),
		"fail": fn("fail", []string{"msg"}, func(a map[string]starlark.Value) (starlark.Value, error) {
			return nil, fmt.Errorf("fail(): %s", str(a["msg"]))
		}),
		"blob": fn("blob", []string{"contents"}, func(a map[string]starlark.Value) (starlark.Value, error) {
			return starlark.String(str(a["contents"])), nil
		}),
		"local": fn("local", []string{"command", "quiet?", "command_bat?", "echo_off?", "env?", "dir?", "stdin?"},
			func(a map[string]starlark.Value) (starlark.Value, error) {
				env, err := stringMap("local", a["env"])
				if err != nil {
					return nil, err
				}
				out, err := r.run(a["command"], str(a["dir"]), env)
				return starlark.String(out), err
			}),
		"read_file": fn("read_file", []string{"file_path", "default?"}, func(a map[string]starlark.Value) (starlark.Value, error) {
			b, err := os.ReadFile(r.path(str(a["file_path"])))
			if err != nil && a["default"] != nil {
				return a["default"], nil
			}
			return starlark.String(b), err
		}),
		"watch_file":         fn("watch_file", []string{"file_path"}, none),
		"decode_json":        fn("decode_json", []string{"json"}, func(a map[string]starlark.Value) (starlark.Value, error) { return decodeJSON(a["json"]) }),
		"encode_yaml":        fn("encode_yaml", []string{"obj"}, r.encodeYAML),
		"encode_yaml_stream": fn("encode_yaml_stream", []string{"objs"}, r.encodeYAMLStream),
		"allow_k8s_contexts": fn("allow_k8s_contexts", []string{"contexts"}, none),
		"k8s_context":        fn("k8s_context", nil, func(map[string]starlark.Value) (starlark.Value, error) { return starlark.String("kind-meshcart"), nil }),
		"update_settings": fn("update_settings", []string{"max_parallel_updates?", "k8s_upsert_timeout_secs?", "suppress_unused_image_warnings?"}, none),
		"local_resource":  fn("local_resource", localResourceParams, r.localResource),
		"docker_build":    fn("docker_build", dockerBuildParams, r.dockerBuild),
		"k8s_yaml": fn("k8s_yaml", []string{"yaml", "allow_duplicates?"}, func(a map[string]starlark.Value) (starlark.Value, error) {
			for _, y := range strList(a["yaml"]) {
				text := y
				if !strings.Contains(y, "\n") { // a file path, as Tilt accepts
					b, err := os.ReadFile(r.path(y))
					if err != nil {
						return nil, fmt.Errorf("k8s_yaml: %v", err)
					}
					text = string(b)
				}
				if err := r.k8sObjects(text); err != nil {
					return nil, err
				}
			}
			return starlark.None, nil
		}),
		"helm": fn("helm", []string{"paths", "name?", "namespace?", "values?", "set?", "kube_version?", "skip_crds?"}, r.helm),
		"k8s_resource": fn("k8s_resource", []string{"workload?", "new_name?", "port_forwards?", "extra_pod_selectors?", "trigger_mode?",
			"resource_deps?", "objects?", "auto_init?", "pod_readiness?", "links?", "labels?", "discovery_strategy?"},
			func(a map[string]starlark.Value) (starlark.Value, error) {
				w := str(a["workload"])
				r.k8sResources = append(r.k8sResources, k8sResource{workload: w, newName: str(a["new_name"])})
				for _, d := range strList(a["resource_deps"]) {
					r.deps = append(r.deps, dep{from: "k8s_resource(" + w + ")", to: d})
				}
				return starlark.None, nil
			}),
		"probe":              fn("probe", []string{"initial_delay_secs?", "timeout_secs?", "period_secs?", "success_threshold?", "failure_threshold?", "exec?", "http_get?", "tcp_socket?"}, r.probe),
		"http_get_action":    fn("http_get_action", []string{"port", "host?", "scheme?", "path?"}, record("http_get_action")),
		"tcp_socket_action":  fn("tcp_socket_action", []string{"port", "host?"}, record("tcp_socket_action")),
		"exec_action":        fn("exec_action", []string{"command"}, record("exec_action")),
		"sync":               fn("sync", []string{"local_path", "remote_path"}, record("sync")),
		"run":                fn("run", []string{"cmd", "trigger?", "echo_off?"}, record("run")),
		"fall_back_on":       fn("fall_back_on", []string{"files"}, record("fall_back_on")),
		"initial_sync":       fn("initial_sync", nil, record("initial_sync")),
		"restart_container":  fn("restart_container", nil, record("restart_container")),
		"port_forward":       fn("port_forward", []string{"local_port", "container_port?", "name?", "link_path?", "host?"}, record("port_forward")),
		"link":               fn("link", []string{"url", "name?"}, record("link")),
		"config":             r.configModule(),
		"os":                 r.osModule(),
	}
}

var localResourceParams = []string{"name", "cmd?", "deps?", "trigger_mode?", "resource_deps?", "ignore?", "auto_init?",
	"serve_cmd?", "cmd_bat?", "serve_cmd_bat?", "allow_parallel?", "links?", "tags?", "env?", "serve_env?",
	"readiness_probe?", "dir?", "serve_dir?", "labels?"}

var dockerBuildParams = []string{"ref", "context", "build_args?", "dockerfile?", "dockerfile_contents?", "live_update?",
	"match_in_env_vars?", "ignore?", "only?", "entrypoint?", "target?", "ssh?", "network?", "secret?", "extra_tag?",
	"container_args?", "cache_from?", "pull?", "platform?"}

func (r *recorder) localResource(a map[string]starlark.Value) (starlark.Value, error) {
	name := str(a["name"])
	owner := "local_resource(" + name + ")"
	if prev, dup := r.defined[name]; dup {
		return nil, fmt.Errorf("%s: resource name already used by %s", owner, prev)
	}
	r.defined[name] = owner
	r.localResources[name] = true
	if a["cmd"] == nil && a["serve_cmd"] == nil {
		r.errs = append(r.errs, owner+": neither cmd nor serve_cmd")
	}
	for _, k := range []string{"env", "serve_env"} {
		if _, err := stringMap(owner, a[k]); err != nil {
			return nil, err
		}
	}
	for _, k := range []string{"dir", "serve_dir"} {
		if d := str(a[k]); d != "" {
			r.mustExist(owner, d)
		}
	}
	for _, p := range strList(a["deps"]) {
		r.mustExist(owner, p)
	}
	if p := a["readiness_probe"]; p != nil && p != starlark.None && !strings.HasPrefix(p.String(), "probe(") {
		r.errs = append(r.errs, owner+": readiness_probe must come from probe()")
	}
	for _, d := range strList(a["resource_deps"]) {
		r.deps = append(r.deps, dep{from: owner, to: d})
	}
	return starlark.None, nil
}

func (r *recorder) probe(a map[string]starlark.Value) (starlark.Value, error) {
	n := 0
	for _, k := range []string{"exec", "http_get", "tcp_socket"} {
		if a[k] != nil && a[k] != starlark.None {
			n++
		}
	}
	if n != 1 {
		return nil, fmt.Errorf("probe(): exactly one of exec, http_get, tcp_socket is required (got %d)", n)
	}
	return value("probe", a), nil
}

var stageRe = regexp.MustCompile(`(?im)^FROM\s+\S+\s+AS\s+(\S+)\s*$`)

func (r *recorder) dockerBuild(a map[string]starlark.Value) (starlark.Value, error) {
	ref, ctx := str(a["ref"]), str(a["context"])
	owner := "docker_build(" + ref + ")"
	r.images = append(r.images, ref)
	r.mustExist(owner, ctx)
	dockerfile := str(a["dockerfile"])
	if dockerfile == "" {
		dockerfile = filepath.Join(ctx, "Dockerfile")
	}
	text, err := os.ReadFile(r.path(dockerfile))
	if err != nil && a["dockerfile_contents"] == nil {
		return nil, fmt.Errorf("%s: %v", owner, err)
	}
	if t := str(a["target"]); t != "" {
		found := false
		for _, m := range stageRe.FindAllStringSubmatch(string(text), -1) {
			found = found || m[1] == t
		}
		if !found {
			r.errs = append(r.errs, fmt.Sprintf("%s: %s has no stage named %q", owner, dockerfile, t))
		}
	}
	for _, p := range strList(a["only"]) {
		r.mustExist(owner, filepath.Join(ctx, p))
	}
	steps, _ := a["live_update"].(*starlark.List)
	for i := 0; steps != nil && i < steps.Len(); i++ {
		s, ok := steps.Index(i).(*starlarkstruct.Struct)
		if !ok {
			return nil, fmt.Errorf("%s: live_update step %d is not a sync()/run()/fall_back_on() value", owner, i)
		}
		kind, _ := s.Attr("kind")
		switch str(kind) {
		case "fall_back_on", "initial_sync":
			if i != 0 {
				r.errs = append(r.errs, fmt.Sprintf("%s: %s must be the first live_update step", owner, str(kind)))
			}
		case "sync":
			lp, _ := s.Attr("local_path")
			rel, err := filepath.Rel(r.path(ctx), r.path(str(lp)))
			if err != nil || strings.HasPrefix(rel, "..") {
				r.errs = append(r.errs, fmt.Sprintf("%s: sync(%q) is outside the build context %q", owner, str(lp), ctx))
			}
			r.mustExist(owner, str(lp))
		}
	}
	return starlark.None, nil
}

func (r *recorder) helm(a map[string]starlark.Value) (starlark.Value, error) {
	chart := str(a["paths"])
	name := str(a["name"])
	if name == "" {
		name = filepath.Base(chart)
	}
	argv := []string{"helm", "template", name, r.path(chart)}
	if ns := str(a["namespace"]); ns != "" {
		argv = append(argv, "--namespace", ns)
	}
	for _, v := range strList(a["values"]) {
		argv = append(argv, "--values", r.path(v))
	}
	for _, s := range strList(a["set"]) {
		argv = append(argv, "--set", s)
	}
	list := make([]starlark.Value, len(argv))
	for i, s := range argv {
		list[i] = starlark.String(s)
	}
	out, err := r.run(starlark.NewList(list), "", nil)
	if err != nil {
		return nil, fmt.Errorf("helm(): %v", err)
	}
	return starlark.String(out), nil
}

func (r *recorder) encodeYAML(a map[string]starlark.Value) (starlark.Value, error) {
	s, err := encodeYAML(a["obj"])
	return starlark.String(s), err
}

func (r *recorder) encodeYAMLStream(a map[string]starlark.Value) (starlark.Value, error) {
	list, ok := a["objs"].(*starlark.List)
	if !ok {
		return nil, fmt.Errorf("encode_yaml_stream: objs must be a list")
	}
	var docs []string
	for i := 0; i < list.Len(); i++ {
		s, err := encodeYAML(list.Index(i))
		if err != nil {
			return nil, err
		}
		docs = append(docs, s)
	}
	return starlark.String(strings.Join(docs, "---\n")), nil
}

func (r *recorder) configModule() *starlarkstruct.Module {
	defined := map[string]bool{}
	define := func(kind string) *starlark.Builtin {
		return fn("config."+kind, []string{"name", "args?", "usage?"}, func(a map[string]starlark.Value) (starlark.Value, error) {
			defined[str(a["name"])] = true
			return starlark.None, nil
		})
	}
	parse := fn("config.parse", nil, func(map[string]starlark.Value) (starlark.Value, error) {
		d := starlark.NewDict(len(r.args))
		for i := 0; i < len(r.args); i++ {
			arg := strings.TrimPrefix(r.args[i], "--")
			k, v, hasValue := strings.Cut(arg, "=")
			if !hasValue && i+1 < len(r.args) {
				i++
				v = r.args[i]
			}
			if !defined[k] {
				return nil, fmt.Errorf("config.parse(): unknown flag --%s (defined: %s)", k, keys(defined))
			}
			_ = d.SetKey(starlark.String(k), starlark.String(v))
		}
		return d, nil
	})
	return &starlarkstruct.Module{Name: "config", Members: starlark.StringDict{
		"define_string":      define("define_string"),
		"define_string_list": define("define_string_list"),
		"define_bool":        define("define_bool"),
		"parse":              parse,
		"main_dir":           starlark.String(r.root),
		"main_path":          starlark.String(filepath.Join(r.root, "Tiltfile")),
		"tilt_subcommand":    starlark.String("up"),
	}}
}

func (r *recorder) osModule() *starlarkstruct.Module {
	pathFn := func(name string, params []string, f func(a map[string]starlark.Value) starlark.Value) *starlark.Builtin {
		return fn("os.path."+name, params, func(a map[string]starlark.Value) (starlark.Value, error) { return f(a), nil })
	}
	return &starlarkstruct.Module{Name: "os", Members: starlark.StringDict{
		"name": starlark.String("posix"),
		"getenv": fn("os.getenv", []string{"key", "default?"}, func(a map[string]starlark.Value) (starlark.Value, error) {
			if v, ok := os.LookupEnv(str(a["key"])); ok {
				return starlark.String(v), nil
			}
			if a["default"] != nil {
				return a["default"], nil
			}
			return starlark.None, nil
		}),
		"putenv": fn("os.putenv", []string{"key", "value"}, func(a map[string]starlark.Value) (starlark.Value, error) {
			return starlark.None, os.Setenv(str(a["key"]), str(a["value"]))
		}),
		"getcwd": fn("os.getcwd", nil, func(map[string]starlark.Value) (starlark.Value, error) { return starlark.String(r.root), nil }),
		"path": &starlarkstruct.Module{Name: "os.path", Members: starlark.StringDict{
			"exists": pathFn("exists", []string{"path"}, func(a map[string]starlark.Value) starlark.Value {
				_, err := os.Stat(r.path(str(a["path"])))
				return starlark.Bool(err == nil)
			}),
			"join": starlark.NewBuiltin("os.path.join", func(_ *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
				parts := make([]string, len(args))
				for i, p := range args {
					parts[i] = str(p)
				}
				return starlark.String(filepath.Join(parts...)), nil
			}),
			"abspath":  pathFn("abspath", []string{"path"}, func(a map[string]starlark.Value) starlark.Value { return starlark.String(r.path(str(a["path"]))) }),
			"basename": pathFn("basename", []string{"path"}, func(a map[string]starlark.Value) starlark.Value { return starlark.String(filepath.Base(str(a["path"]))) }),
			"dirname":  pathFn("dirname", []string{"path"}, func(a map[string]starlark.Value) starlark.Value { return starlark.String(filepath.Dir(str(a["path"]))) }),
		}},
	}}
}
