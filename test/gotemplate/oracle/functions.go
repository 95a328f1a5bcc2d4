package main

import (
	"errors"
	"fmt"
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
}
