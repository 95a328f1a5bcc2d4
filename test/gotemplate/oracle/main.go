// Command gotemplate-oracle parses Go templates with Go's own text/template/parse and prints, per template,
// {"ok":true,"names":[...]} or {"ok":false,"error":"..."}: the reference for the TypeScript parser's tests.
// With "exec" set, it executes instead (text/template.Parse + ExecuteTemplate on the JSON "data", decoded as
// encoding/json decodes into interface{}) and prints {"ok":true,"output":"..."} or {"ok":false,"error":"..."}.
// Input on stdin: a JSON array of {"name","text","functions"[,"exec","data"]}; output: a JSON array, same order.
package main

import (
	"bytes"
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"text/template"
	"text/template/parse"
)

type request struct {
	Name      string   `json:"name"`
	Text      string   `json:"text"`
	Functions []string `json:"functions"` // null: no function check (parse.SkipFuncCheck)
	// Exec names the template to execute; empty: parse only.
	Exec string          `json:"exec"`
	Data json.RawMessage `json:"data"`
	// Stubs names functions that return their last argument ("" without one): stand-ins for
	// functions (sprig, Istio's) the test does not have.
	Stubs []string `json:"stubs"`
	// StringStubs return fmt.Sprint of their last argument.
	StringStubs []string `json:"stringStubs"`
	// Fixture puts newFixture() at .Typed of a map data.
	Fixture bool `json:"fixture"`
}

type result struct {
	OK     bool     `json:"ok"`
	Output *string  `json:"output,omitempty"`
	Names  []string `json:"names,omitempty"`
	// Literals: every number and string constant of the trees (by name, in tree order), as Go reads it.
	Literals []literal `json:"literals,omitempty"`
	Error    string    `json:"error,omitempty"`
}

var builtins = []string{"and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
	"println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne"}

func parseOne(r request) result {
	funcs := map[string]any{}
	for _, name := range append(r.Functions, builtins...) {
		funcs[name] = func() {}
	}
	trees := map[string]*parse.Tree{}
	top := parse.New(r.Name)
	if r.Functions == nil {
		top.Mode = parse.SkipFuncCheck
	}
	if _, err := top.Parse(r.Text, "", "", trees, funcs); err != nil {
		return result{Error: err.Error()}
	}
	names := make([]string, 0, len(trees))
	for name := range trees {
		names = append(names, name)
	}
	sort.Strings(names)
	var literals []literal
	for _, name := range names {
		walk(trees[name].Root, &literals)
	}
	return result{OK: true, Names: names, Literals: literals}
}

func main() {
	var requests []request
	if err := json.NewDecoder(os.Stdin).Decode(&requests); err != nil {
		os.Stderr.WriteString("gotemplate-oracle: " + err.Error() + "\n")
		os.Exit(2)
	}
	results := make([]result, len(requests))
	for i, r := range requests {
		if r.Exec != "" {
			results[i] = execOne(r)
		} else {
			results[i] = parseOne(r)
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		os.Exit(1)
	}
}

type literal struct {
	Text  string   `json:"text"`
	Str   *string  `json:"str,omitempty"`
	Int   *string  `json:"int,omitempty"`
	Uint  *string  `json:"uint,omitempty"`
	Float *float64 `json:"float,omitempty"`
	Re    *float64 `json:"re,omitempty"`
	Im    *float64 `json:"im,omitempty"`
}

func walk(node parse.Node, out *[]literal) {
	switch n := node.(type) {
	case *parse.ListNode:
		for _, c := range n.Nodes {
			walk(c, out)
		}
	case *parse.ActionNode:
		walk(n.Pipe, out)
	case *parse.IfNode:
		walkBranch(&n.BranchNode, out)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, out)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, out)
	case *parse.TemplateNode:
		if n.Pipe != nil {
			walk(n.Pipe, out)
		}
	case *parse.PipeNode:
		for _, c := range n.Cmds {
			for _, a := range c.Args {
				walk(a, out)
			}
		}
	case *parse.ChainNode:
		walk(n.Node, out)
	case *parse.StringNode:
		text := n.Text
		*out = append(*out, literal{Text: n.Quoted, Str: &text})
	case *parse.NumberNode:
		*out = append(*out, number(n))
	}
}

func walkBranch(b *parse.BranchNode, out *[]literal) {
	walk(b.Pipe, out)
	walk(b.List, out)
	if b.ElseList != nil {
		walk(b.ElseList, out)
	}
}

func number(n *parse.NumberNode) literal {
	l := literal{Text: n.Text}
	if n.IsInt {
		s := strconv.FormatInt(n.Int64, 10)
		l.Int = &s
	}
	if n.IsUint {
		s := strconv.FormatUint(n.Uint64, 10)
		l.Uint = &s
	}
	if n.IsFloat {
		f := n.Float64
		l.Float = &f
	}
	if n.IsComplex {
		re, im := real(n.Complex128), imag(n.Complex128)
		l.Re, l.Im = &re, &im
	}
	return l
}

func execOne(r request) result {
	var data any
	if len(r.Data) > 0 {
		if err := json.Unmarshal(r.Data, &data); err != nil {
			return result{Error: "oracle: bad data: " + err.Error()}
		}
		data = typedInts(data)
	}
	if m, ok := data.(map[string]any); ok && r.Fixture {
		m["Typed"] = newFixture()
	}
	funcs := template.FuncMap{}
	for name, f := range testFunctions {
		funcs[name] = f
	}
	for _, name := range r.Stubs {
		funcs[name] = stub
	}
	for _, name := range r.StringStubs {
		funcs[name] = stringStub
	}
	t, err := template.New(r.Name).Funcs(funcs).Parse(r.Text)
	if err != nil {
		return result{Error: err.Error()}
	}
	var out bytes.Buffer
	if err := t.ExecuteTemplate(&out, r.Exec, data); err != nil {
		return result{Error: err.Error()}
	}
	text := out.String()
	return result{OK: true, Output: &text}
}
