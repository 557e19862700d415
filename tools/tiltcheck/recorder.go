package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkjson"
	"go.starlark.net/starlarkstruct"
	"gopkg.in/yaml.v3"
)

type dep struct{ from, to string }
type k8sResource struct{ workload, newName string }

// recorder holds what the Tiltfile declared, for verify().
type recorder struct {
	root           string
	args           []string // tilt args after `--`, read by config.parse()
	defined        map[string]string
	localResources map[string]bool
	workloads      map[string]bool
	k8sResources   []k8sResource
	deps           []dep
	images         []string
	usedImages     map[string]bool
	errs           []string
}

func newRecorder(root string, args []string) *recorder {
	return &recorder{root: root, args: args, defined: map[string]string{}, localResources: map[string]bool{},
		workloads: map[string]bool{}, usedImages: map[string]bool{}}
}

// fn wraps a stand-in with Tilt's exact parameter list ("name?" = optional), so an unknown or
// misspelt keyword fails the way it would in Tilt.
func fn(name string, params []string, impl func(a map[string]starlark.Value) (starlark.Value, error)) *starlark.Builtin {
	return starlark.NewBuiltin(name, func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		vals := make([]starlark.Value, len(params))
		pairs := make([]any, 0, 2*len(params))
		for i, p := range params {
			pairs = append(pairs, p, &vals[i])
		}
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, pairs...); err != nil {
			return nil, err
		}
		a := map[string]starlark.Value{}
		for i, p := range params {
			if vals[i] != nil {
				a[strings.TrimSuffix(p, "?")] = vals[i]
			}
		}
		out, err := impl(a)
		if out == nil && err == nil {
			out = starlark.None
		}
		return out, err
	})
}

// value makes an opaque typed record (probe, sync step, port forward ...).
func value(kind string, a map[string]starlark.Value) starlark.Value {
	d := starlark.StringDict{"kind": starlark.String(kind)}
	for k, v := range a {
		d[k] = v
	}
	return starlarkstruct.FromStringDict(starlark.String(kind), d)
}

func record(kind string, params ...string) func(a map[string]starlark.Value) (starlark.Value, error) {
	return func(a map[string]starlark.Value) (starlark.Value, error) { return value(kind, a), nil }
}

func str(v starlark.Value) string {
	if s, ok := starlark.AsString(v); ok {
		return s
	}
	if v == nil {
		return ""
	}
	return v.String()
}

func strList(v starlark.Value) []string {
	var out []string
	if v == nil || v == starlark.None {
		return out
	}
	if s, ok := starlark.AsString(v); ok {
		return []string{s}
	}
	if it, ok := v.(starlark.Iterable); ok {
		iter := it.Iterate()
		defer iter.Done()
		var x starlark.Value
		for iter.Next(&x) {
			out = append(out, str(x))
		}
	}
	return out
}

func (r *recorder) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(r.root, p)
}

func (r *recorder) mustExist(owner, p string) {
	if _, err := os.Stat(r.path(p)); err != nil {
		r.errs = append(r.errs, fmt.Sprintf("%s: path %q does not exist", owner, p))
	}
}

// run executes a command like Tilt's local(): a list is argv, a string goes through `sh -c`.
func (r *recorder) run(cmd starlark.Value, dir string, env map[string]string) (string, error) {
	var c *exec.Cmd
	if s, ok := starlark.AsString(cmd); ok {
		c = exec.Command("sh", "-c", s)
	} else {
		argv := strList(cmd)
		if len(argv) == 0 {
			return "", fmt.Errorf("local(): empty command")
		}
		c = exec.Command(argv[0], argv[1:]...)
	}
	c.Dir = r.root
	if dir != "" {
		c.Dir = r.path(dir)
	}
	c.Env = os.Environ()
	for k, v := range env {
		c.Env = append(c.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		return "", fmt.Errorf("command %v failed: %v\n%s", c.Args, err, stderr.String())
	}
	return stdout.String(), nil
}

// k8sObjects records workload names and container images from YAML text.
func (r *recorder) k8sObjects(text string) error {
	dec := yaml.NewDecoder(strings.NewReader(text))
	for {
		var obj map[string]any
		err := dec.Decode(&obj)
		if err != nil {
			if err.Error() == "EOF" {
				return nil
			}
			return fmt.Errorf("k8s_yaml: %v", err)
		}
		if obj == nil {
			continue
		}
		kind, _ := obj["kind"].(string)
		meta, _ := obj["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		switch kind {
		case "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet", "Pod":
			if r.workloads[name] {
				r.errs = append(r.errs, fmt.Sprintf("k8s_yaml: two workloads named %q (Tilt needs unique resource names)", name))
			}
			r.workloads[name] = true
		}
		collectImages(obj, r.usedImages)
	}
}

// collectImages finds every `image:` under containers/initContainers, without its tag.
func collectImages(v any, into map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			if k == "containers" || k == "initContainers" {
				if list, ok := child.([]any); ok {
					for _, c := range list {
						if m, ok := c.(map[string]any); ok {
							if img, ok := m["image"].(string); ok {
								into[stripTag(img)] = true
							}
						}
					}
				}
			}
			collectImages(child, into)
		}
	case []any:
		for _, child := range x {
			collectImages(child, into)
		}
	}
}

func stripTag(img string) string {
	if i := strings.LastIndex(img, ":"); i > strings.LastIndex(img, "/") {
		return img[:i]
	}
	return img
}

// toGo converts Starlark data (dict/list/str/int/bool) for YAML encoding.
func toGo(v starlark.Value) (any, error) {
	switch x := v.(type) {
	case starlark.NoneType:
		return nil, nil
	case starlark.Bool:
		return bool(x), nil
	case starlark.Int:
		i, _ := x.Int64()
		return i, nil
	case starlark.Float:
		return float64(x), nil
	case starlark.String:
		return string(x), nil
	case *starlark.Dict:
		out := map[string]any{}
		for _, item := range x.Items() {
			k, ok := starlark.AsString(item[0])
			if !ok {
				return nil, fmt.Errorf("encode_yaml: dict key %s is not a string", item[0])
			}
			val, err := toGo(item[1])
			if err != nil {
				return nil, err
			}
			out[k] = val
		}
		return out, nil
	case *starlark.List, starlark.Tuple:
		var out []any
		iter := x.(starlark.Iterable).Iterate()
		defer iter.Done()
		var e starlark.Value
		for iter.Next(&e) {
			val, err := toGo(e)
			if err != nil {
				return nil, err
			}
			out = append(out, val)
		}
		return out, nil
	}
	return nil, fmt.Errorf("encode_yaml: cannot encode %s", v.Type())
}

func encodeYAML(v starlark.Value) (string, error) {
	g, err := toGo(v)
	if err != nil {
		return "", err
	}
	b, err := yaml.Marshal(g)
	return string(b), err
}

func decodeJSON(s starlark.Value) (starlark.Value, error) {
	decode := starlarkjson.Module.Members["decode"].(*starlark.Builtin)
	return starlark.Call(&starlark.Thread{}, decode, starlark.Tuple{starlark.String(str(s))}, nil)
}

func stringMap(owner string, v starlark.Value) (map[string]string, error) {
	out := map[string]string{}
	if v == nil || v == starlark.None {
		return out, nil
	}
	d, ok := v.(*starlark.Dict)
	if !ok {
		return nil, fmt.Errorf("%s: env must be a dict, got %s", owner, v.Type())
	}
	for _, item := range d.Items() {
		k, kok := starlark.AsString(item[0])
		val, vok := starlark.AsString(item[1])
		if !kok || !vok {
			return nil, fmt.Errorf("%s: env entries must be strings (%s: %s)", owner, item[0], item[1].Type())
		}
		out[k] = val
	}
	return out, nil
}
