package main

// The methods of a struct type that templates can call, for gen.

import (
	"reflect"
	"strings"

	"google.golang.org/protobuf/proto"
)

// Niladic methods templates can call: getters (GetX of a field or oneof option), String, and the
// special types' own.
func (g *generator) methods(t reflect.Type, d *typeDesc) map[string]methodDesc {
	out := map[string]methodDesc{}
	pt := reflect.PointerTo(t)
	fields := map[string]fieldDesc{}
	for _, f := range d.F {
		fields[f.N] = f
	}
	for i := 0; i < pt.NumMethod(); i++ {
		m := pt.Method(i)
		if m.Type.NumIn() != 1 || m.Type.NumOut() != 1 {
			continue
		}
		_, onValue := t.MethodByName(m.Name)
		desc := methodDesc{T: g.add(m.Type.Out(0))}
		if !onValue {
			desc.Pr = 1
		}
		field, isGetter := strings.CutPrefix(m.Name, "Get")
		switch {
		case isGetter && fields[field].N != "" && fields[field].T == desc.T:
			desc.G = field
		case isGetter && d.Proto != "" && oneofOption(t, field) != "":
			desc.Op = oneofOption(t, field)
		case m.Name == "String" || contains(specialMethods[d.Special], m.Name):
			desc.S = m.Name
		default:
			continue
		}
		out[m.Name] = desc
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func oneofOption(t reflect.Type, goName string) string {
	md := reflect.New(t).Interface().(proto.Message).ProtoReflect().Descriptor()
	for i := 0; i < md.Fields().Len(); i++ {
		fd := md.Fields().Get(i)
		if fd.ContainingOneof() != nil && !fd.ContainingOneof().IsSynthetic() && goCamel(string(fd.Name())) == goName {
			return fd.JSONName()
		}
	}
	return ""
}

func goCamel(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if r == '_' {
			up = true
			continue
		}
		if up && r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		up = false
		b.WriteRune(r)
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
