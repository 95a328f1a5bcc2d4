// The function map istiod gives its injection templates (sprig.TxtFuncMap overlaid with Istio's exported
// inject.InjectionFuncmap, as pkg/kube/inject's parseDryTemplate does), as a test oracle: reads a JSON
// array of calls on stdin, runs each as a one-line text/template, and writes what Go answered.
//
//	oracle calls       [{fn, args}] -> [{type, v, json} | {error}]
//	oracle signatures  -> {name: {params, variadic}}  (the reflect signatures of every function)
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"text/template"
	"unicode"

	"github.com/Masterminds/sprig/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/durationpb"
	meshconfig "istio.io/api/mesh/v1alpha1"
	"istio.io/istio/pkg/kube/inject"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

type call struct {
	Fn   string            `json:"fn"`
	Args []json.RawMessage `json:"args"`
}

type answer struct {
	Type  *string `json:"type,omitempty"`
	V     *string `json:"v,omitempty"`
	JSON  *string `json:"json,omitempty"`
	Error *string `json:"error,omitempty"`
}

func funcMap() template.FuncMap {
	m := sprig.TxtFuncMap()
	for k, v := range inject.InjectionFuncmap {
		m[k] = v
	}
	return m
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "signatures" {
		signatures()
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "unicode-assigned" {
		unicodeAssigned()
		return
	}
	var calls []call
	if err := json.NewDecoder(os.Stdin).Decode(&calls); err != nil {
		fail(err)
	}
	out := make([]answer, len(calls))
	for i, c := range calls {
		out[i] = run(c)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(2)
}

// unicodeAssigned prints Go's Unicode version and the code points its tables assign, as hex ranges.
func unicodeAssigned() {
	var parts []string
	start := -1
	for r := 0; r <= 0x110000; r++ {
		in := r <= 0x10FFFF && unicode.In(rune(r), unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs)
		if in && start < 0 {
			start = r
		} else if !in && start >= 0 {
			parts = append(parts, fmt.Sprintf("%x-%x", start, r-1))
			start = -1
		}
	}
	fmt.Println(unicode.Version)
	fmt.Println(strings.Join(parts, ","))
}

func signatures() {
	type sig struct {
		Params   []string `json:"params"`
		Variadic string   `json:"variadic,omitempty"`
	}
	res := map[string]sig{}
	for name, f := range funcMap() {
		t := reflect.TypeOf(f)
		s := sig{Params: []string{}}
		for i := 0; i < t.NumIn(); i++ {
			if t.IsVariadic() && i == t.NumIn()-1 {
				s.Variadic = t.In(i).Elem().String()
			} else {
				s.Params = append(s.Params, t.In(i).String())
			}
		}
		res[name] = s
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		fail(err)
	}
}

func run(c call) (a answer) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprint("oracle panic: ", r)
			a = answer{Error: &msg}
		}
	}()
	data := map[string]any{}
	refs := make([]string, len(c.Args))
	for i, raw := range c.Args {
		name := fmt.Sprintf("a%d", i)
		refs[i] = "." + name
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			panic(err)
		}
		if m, ok := v.(map[string]any); ok && m["$t"] == "undefined" {
			continue
		}
		data[name] = typed(v)
	}
	fm := funcMap()
	fm["__json"] = func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			return "!error: " + err.Error()
		}
		return string(b)
	}
	text := fmt.Sprintf("{{ $r := %s %s }}{{ printf \"%%T\" $r }}\x1e{{ __json $r }}\x1e{{ printf \"%%v\" $r }}", c.Fn, strings.Join(refs, " "))
	t, err := template.New("t").Funcs(fm).Parse(text)
	if err != nil {
		msg := err.Error()
		return answer{Error: &msg}
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		msg := err.Error()
		if i := strings.Index(msg, "error calling "+c.Fn+": "); i >= 0 {
			msg = msg[i+len("error calling "+c.Fn+": "):]
		}
		return answer{Error: &msg}
	}
	parts := strings.SplitN(b.String(), "\x1e", 3)
	return answer{Type: &parts[0], JSON: &parts[1], V: &parts[2]}
}

// typed turns {"$t": T, "v": V} (anywhere in the value) into a Go value of type T.
func typed(v any) any {
	switch x := v.(type) {
	case []any:
		for i := range x {
			x[i] = typed(x[i])
		}
		return x
	case map[string]any:
		t, ok := x["$t"].(string)
		if !ok {
			for k := range x {
				x[k] = typed(x[k])
			}
			return x
		}
		return convert(t, x["v"])
	}
	return v
}

func convert(t string, v any) any {
	raw, _ := json.Marshal(v)
	into := func(p any) any {
		if err := json.Unmarshal(raw, p); err != nil {
			panic(err)
		}
		return reflect.ValueOf(p).Elem().Interface()
	}
	switch t {
	case "int":
		return into(new(int))
	case "int64":
		return into(new(int64))
	case "int32":
		return into(new(int32))
	case "uint":
		return into(new(uint))
	case "float32":
		return into(new(float32))
	case "[]string":
		return into(new([]string))
	case "[]int":
		return into(new([]int))
	case "map[string]string":
		return into(new(map[string]string))
	case "map[string]int":
		return into(new(map[string]int))
	case "[]v1.Container":
		return into(new([]corev1.Container))
	case "v1.ObjectMeta":
		return into(new(metav1.ObjectMeta))
	case "*durationpb.Duration":
		if v == nil {
			return (*durationpb.Duration)(nil)
		}
		d := &durationpb.Duration{}
		if err := protojson.Unmarshal(raw, d); err != nil {
			panic(err)
		}
		return d
	case "*v1alpha1.ProxyConfig":
		if v == nil {
			return (*meshconfig.ProxyConfig)(nil)
		}
		pc := &meshconfig.ProxyConfig{}
		if err := protojson.Unmarshal(raw, pc); err != nil {
			panic(err)
		}
		return pc
	case "*v1alpha1.MeshConfig":
		mc := &meshconfig.MeshConfig{}
		if err := protojson.Unmarshal(raw, mc); err != nil {
			panic(err)
		}
		return mc
	}
	panic("unknown type " + t)
}
