package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// testFunctions: functions with typed parameters and error results, mirrored in TypeScript by
// test/gotemplate/exec-oracle.ts, so the differential tests exercise Go's argument conversion and errors.
var testFunctions = map[string]any{
	"strfn":   func(s string) string { return "<" + s + ">" },
	"intfn":   func(i int) int { return i * 2 },
	"floatfn": func(f float64) float64 { return f / 2 },
	"boolfn":  func(b bool) bool { return !b },
	"anyfn":   func(v any) string { return fmt.Sprintf("%T", v) },
	"joinfn":  func(sep string, parts ...string) string { return strings.Join(parts, sep) },
	"failfn":  func(msg string) (string, error) { return "", errors.New(msg) },
	"listfn": func(n int) []any {
		l := make([]any, 0, n)
		for i := 0; i < n; i++ {
			l = append(l, i)
		}
		return l
	},
	"mapfn": func(k string, v any) map[string]any { return map[string]any{k: v} },
	"nilfn": func() any { return nil },
	"typed": newFixture,
}

// stub returns its last argument, "" without one.
func stub(args ...any) any {
	if len(args) == 0 {
		return ""
	}
	return args[len(args)-1]
}

// stringStub returns fmt.Sprint of its last argument, "" without one.
func stringStub(args ...any) string {
	if len(args) == 0 {
		return ""
	}
	return fmt.Sprint(args[len(args)-1])
}

// typedInts turns {"$int": "N"} in decoded JSON into the Go int N, so data can hold ints as typed
// structs do (JSON alone decodes every number to float64).
func typedInts(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x["$int"].(string); ok && len(x) == 1 {
			if n, err := strconv.Atoi(s); err == nil {
				return n
			}
		}
		for k, e := range x {
			x[k] = typedInts(e)
		}
	case []any:
		for i, e := range x {
			x[i] = typedInts(e)
		}
	}
	return v
}
