// Command tiltcheck executes a Tiltfile offline with recorded stand-ins for Tilt's built-ins,
// because no tilt binary can be installed on the project's machines. It fails on any Starlark
// error, any built-in Tilt does not have (the resolver rejects undefined names), any keyword a
// built-in does not take, and on wiring mistakes Tilt would only show at `tilt up`: a
// resource_deps entry naming no resource, a k8s_resource for a workload never deployed, an image
// built but used by no workload, a live_update sync outside its build context, a missing path.
//
//	go run . -f ../../Tiltfile -- --mode=k8s
//
// local() and helm() really run (Tilt runs them at load time too), so the k8s mode renders the
// real chart with the Tiltfile's values and the check sees the real workload and image names.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

func main() {
	file := flag.String("f", "Tiltfile", "Tiltfile to execute")
	flag.Parse()
	abs, err := filepath.Abs(*file)
	if err != nil {
		fatal(err)
	}
	r := newRecorder(filepath.Dir(abs), flag.Args())
	thread := &starlark.Thread{
		Name:  "tiltcheck",
		Print: func(_ *starlark.Thread, msg string) { fmt.Println("[Tiltfile] " + msg) },
		Load: func(_ *starlark.Thread, module string) (starlark.StringDict, error) {
			return nil, fmt.Errorf("load(%q): extensions are not supported by tiltcheck (keep the Tiltfile self-contained)", module)
		},
	}
	// Tilt's dialect: top-level if/for, while, set, global reassignment, recursion.
	opts := &syntax.FileOptions{Set: true, While: true, TopLevelControl: true, GlobalReassign: true, Recursion: true}
	if _, err := starlark.ExecFileOptions(opts, thread, abs, nil, r.builtins()); err != nil {
		if evalErr, ok := err.(*starlark.EvalError); ok {
			fatal(fmt.Errorf("%s", evalErr.Backtrace()))
		}
		fatal(err)
	}
	problems := r.verify()
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "tiltcheck: "+p)
		}
		os.Exit(1)
	}
	fmt.Println(r.summary())
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "tiltcheck: "+err.Error())
	os.Exit(1)
}

// verify runs the cross-resource checks once the whole Tiltfile has executed.
func (r *recorder) verify() []string {
	var out []string
	out = append(out, r.errs...)
	defined := map[string]bool{}
	for name := range r.localResources {
		defined[name] = true
	}
	for name := range r.workloads {
		defined[name] = true
	}
	for _, kr := range r.k8sResources {
		if !r.workloads[kr.workload] {
			out = append(out, fmt.Sprintf("k8s_resource(%q): no workload of that name in k8s_yaml (have: %s)", kr.workload, keys(r.workloads)))
		}
		if kr.newName != "" {
			defined[kr.newName] = true
		}
	}
	for _, d := range r.deps {
		if !defined[d.to] {
			out = append(out, fmt.Sprintf("%s: resource_deps names %q, which is never defined (have: %s)", d.from, d.to, keys(defined)))
		}
	}
	for _, ref := range r.images {
		if !r.usedImages[ref] {
			out = append(out, fmt.Sprintf("docker_build(%q): no deployed workload uses this image", ref))
		}
	}
	if len(r.localResources)+len(r.workloads) == 0 {
		out = append(out, "the Tiltfile defines no resource at all")
	}
	return out
}

func (r *recorder) summary() string {
	return fmt.Sprintf("tiltcheck OK (args %v): %d local resources, %d k8s workloads, %d images, %d resource_deps resolved",
		r.args, len(r.localResources), len(r.workloads), len(r.images), len(r.deps))
}

func keys[V any](m map[string]V) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}
