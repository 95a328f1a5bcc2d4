package main

import "errors"

// A typed value beside the JSON data ("fixture": true puts it at .Typed), mirrored in TypeScript by
// test/gotemplate/exec-fixture.ts: structs, pointers (nil too), methods with and without arguments,
// named ints with String(), typed maps and slices, as Istio's template data has them.

type Mode int32

func (m Mode) String() string {
	if m == 1 {
		return "MODE_B"
	}
	return "MODE_A"
}

type Inner struct {
	Value bool
	Label string
}

func (i *Inner) GetValue() bool {
	if i == nil {
		return false
	}
	return i.Value
}

type Fixture struct {
	Name     string
	Count    int32
	Port     uint32
	Ratio    float64
	Mode     Mode
	Inner    *Inner
	NilInner *Inner
	Tags     map[string]string
	Labels   map[string]string
	List     []string
	Empty    []string
	Fn       func(string) string
}

func (f Fixture) Greet(who string) string { return "hi " + who + " from " + f.Name }

func (f *Fixture) GetInner() *Inner { return f.Inner }

func (f Fixture) Fail() (string, error) { return "", errors.New("fixture failed") }

func newFixture() *Fixture {
	return &Fixture{
		Name: "fix", Count: 3, Port: 8080, Ratio: 0.5, Mode: 1,
		Inner: &Inner{Value: true, Label: "lbl"},
		Tags:  map[string]string{"b": "2", "a": "1"},
		List:  []string{"x", "y", "z"},
		Fn:    func(s string) string { return "fn:" + s },
	}
}
