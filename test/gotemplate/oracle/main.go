// Command gotemplate-oracle parses Go templates with Go's own text/template/parse and prints, per template,
// {"ok":true,"names":[...]} or {"ok":false,"error":"..."}: the reference for the TypeScript parser's tests.
// Input on stdin: a JSON array of {"name","text","functions"}; output: a JSON array, same order.
package main

import (
	"encoding/json"
	"os"
	"sort"
	"text/template/parse"
)

type request struct {
	Name      string   `json:"name"`
	Text      string   `json:"text"`
	Functions []string `json:"functions"` // null: no function check (parse.SkipFuncCheck)
}

type result struct {
	OK    bool     `json:"ok"`
	Names []string `json:"names,omitempty"`
	Error string   `json:"error,omitempty"`
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
	return result{OK: true, Names: names}
}

func main() {
	var requests []request
	if err := json.NewDecoder(os.Stdin).Decode(&requests); err != nil {
		os.Stderr.WriteString("gotemplate-oracle: " + err.Error() + "\n")
		os.Exit(2)
	}
	results := make([]result, len(requests))
	for i, r := range requests {
		results[i] = parseOne(r)
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		os.Exit(1)
	}
}
