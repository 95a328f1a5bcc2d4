package main

// gen: reflects over inject.SidecarTemplateData and everything reachable from it and writes the TypeScript
// description src/core/gotemplate/data/go-types.generated.ts (the TS data model reads Go's types from it
// rather than from hand-written copies). Regenerate after moving Istio's version in go.mod:
//   GOFLAGS=-mod=mod go run . gen > ../../../src/core/gotemplate/data/go-types.generated.ts

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	"istio.io/istio/pkg/kube/inject"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Field of a struct. Keys are short: the generated file is large.
type fieldDesc struct {
	N     string `json:"n"`             // Go name
	T     string `json:"t"`             // type, a key of the table
	J     string `json:"j,omitempty"`   // encoding/json key ("-": never marshalled)
	O     int    `json:"o,omitempty"`   // 1: omitempty
	Oz    int    `json:"oz,omitempty"`  // 1: omitzero
	Inl   int    `json:"inl,omitempty"` // 1: embedded struct without a json name (fields inlined)
	A     int    `json:"a,omitempty"`   // 1: an embedded (anonymous) field: its fields and methods are promoted
	P     string `json:"p,omitempty"`   // protojson name (camelCase)
	Po    string `json:"po,omitempty"`  // proto field name (protojson also reads it)
	Oneof int    `json:"oneof,omitempty"`
}

type oneofOpt struct {
	P  string `json:"p"`
	Po string `json:"po"`
	T  string `json:"t"` // the wrapper type, e.g. *v1alpha1.Tracing_Zipkin_
}

type methodDesc struct {
	G  string `json:"g,omitempty"`  // getter of this Go field
	Op string `json:"op,omitempty"` // getter of this oneof option (protojson name)
	S  string `json:"s,omitempty"`  // a special method the TS side implements by name
	T  string `json:"t"`            // result type
	Pr int    `json:"pr,omitempty"` // 1: pointer receiver (needs an addressable value or a pointer)
}

type typeDesc struct {
	K        string                `json:"k"`
	B        int                   `json:"b,omitempty"`
	Named    int                   `json:"named,omitempty"`
	E        string                `json:"e,omitempty"`
	Key      string                `json:"key,omitempty"`
	F        []fieldDesc           `json:"f,omitempty"`
	M        map[string]methodDesc `json:"m,omitempty"`
	Enum     map[string]string     `json:"enum,omitempty"`
	Proto    string                `json:"proto,omitempty"`
	Special  string                `json:"special,omitempty"`
	Opts     []oneofOpt            `json:"opts,omitempty"`
	Stringer int                   `json:"stringer,omitempty"` // 1: String() on the value, 2: on the pointer only
	Mj       int                   `json:"mj,omitempty"`       // 1: json.Marshaler (on the value or the pointer)
}

var protoMessage = reflect.TypeOf((*proto.Message)(nil)).Elem()
var protoEnum = reflect.TypeOf((*protoreflect.Enum)(nil)).Elem()
var stringer = reflect.TypeOf((*fmt.Stringer)(nil)).Elem()
var jsonMarshaler = reflect.TypeOf((*json.Marshaler)(nil)).Elem()

var specials = map[reflect.Type]string{
	reflect.TypeOf(resource.Quantity{}):      "quantity",
	reflect.TypeOf(intstr.IntOrString{}):     "intorstring",
	reflect.TypeOf(metav1.Time{}):            "time",
	reflect.TypeOf(time.Time{}):              "time",
	reflect.TypeOf(metav1.MicroTime{}):       "time",
	reflect.TypeOf(durationpb.Duration{}):    "duration",
	reflect.TypeOf(timestamppb.Timestamp{}):  "timestamp",
	reflect.TypeOf(structpb.Struct{}):        "pbstruct",
	reflect.TypeOf(structpb.Value{}):         "pbvalue",
	reflect.TypeOf(structpb.ListValue{}):     "pblist",
	reflect.TypeOf(wrapperspb.BoolValue{}):   "wrapper",
	reflect.TypeOf(wrapperspb.StringValue{}): "wrapper",
	reflect.TypeOf(wrapperspb.Int32Value{}):  "wrapper",
	reflect.TypeOf(wrapperspb.Int64Value{}):  "wrapper",
	reflect.TypeOf(wrapperspb.UInt32Value{}): "wrapper",
	reflect.TypeOf(wrapperspb.UInt64Value{}): "wrapper",
	reflect.TypeOf(wrapperspb.DoubleValue{}): "wrapper",
	reflect.TypeOf(wrapperspb.FloatValue{}):  "wrapper",
	reflect.TypeOf(wrapperspb.BytesValue{}):  "wrapper",
}

// Niladic methods of special types the TS side implements, by type.
var specialMethods = map[string][]string{
	"duration":    {"AsDuration", "IsValid"},
	"timestamp":   {"AsTime", "IsValid"},
	"quantity":    {"String", "Value", "MilliValue", "IsZero"},
	"intorstring": {"String", "IntValue"},
	"pbstruct":    {"AsMap"},
	"pbvalue":     {"AsInterface"},
	"pblist":      {"AsSlice"},
}

type generator struct {
	types  map[string]*typeDesc
	origin map[string]reflect.Type
}

func (g *generator) add(t reflect.Type) string {
	name := t.String()
	if prev, ok := g.origin[name]; ok {
		if prev != t {
			panic(fmt.Sprintf("two Go types print as %s: %s and %s", name, prev.PkgPath(), t.PkgPath()))
		}
		return name
	}
	g.origin[name] = t
	d := &typeDesc{}
	g.types[name] = d
	if t.Name() != "" && t.Kind() != reflect.Struct && t.PkgPath() != "" {
		d.Named = 1
	}
	switch t.Kind() {
	case reflect.Pointer:
		d.K, d.E = "ptr", g.add(t.Elem())
	case reflect.Slice:
		d.K, d.E = "slice", g.add(t.Elem())
	case reflect.Map:
		d.K, d.Key, d.E = "map", g.add(t.Key()), g.add(t.Elem())
	case reflect.Struct:
		g.describeStruct(t, d)
	case reflect.Interface:
		d.K = "iface"
	case reflect.Bool, reflect.String:
		d.K = t.Kind().String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		d.K, d.B = "int", t.Bits()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		d.K, d.B = "uint", t.Bits()
	case reflect.Float32, reflect.Float64:
		d.K, d.B = "float", t.Bits()
	default:
		panic("unsupported kind " + t.Kind().String() + " of " + name)
	}
	if t.Implements(protoEnum) {
		d.Enum = map[string]string{}
		values := reflect.Zero(t).Interface().(protoreflect.Enum).Descriptor().Values()
		for i := 0; i < values.Len(); i++ {
			d.Enum[fmt.Sprint(values.Get(i).Number())] = string(values.Get(i).Name())
		}
	}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		if reflect.PointerTo(t).Implements(jsonMarshaler) {
			d.Mj = 1
		}
		if t.Implements(stringer) {
			d.Stringer = 1
		} else if reflect.PointerTo(t).Implements(stringer) {
			d.Stringer = 2
		}
	}
	return name
}

func (g *generator) describeStruct(t reflect.Type, d *typeDesc) {
	d.K = "struct"
	d.Special = specials[t]
	var md protoreflect.MessageDescriptor
	if reflect.PointerTo(t).Implements(protoMessage) {
		md = reflect.New(t).Interface().(proto.Message).ProtoReflect().Descriptor()
		d.Proto = string(md.FullName())
	}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		f := fieldDesc{N: sf.Name, T: g.add(sf.Type)}
		if sf.Anonymous {
			f.A = 1
		}
		tag, hasTag := sf.Tag.Lookup("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" && opts == "" {
			f.J = "-"
		} else if name != "" {
			f.J = name
		} else if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			f.Inl = 1
		} else {
			f.J = sf.Name
		}
		_ = hasTag
		if strings.Contains(","+opts+",", ",omitempty,") {
			f.O = 1
		}
		if strings.Contains(","+opts+",", ",omitzero,") {
			f.Oz = 1
		}
		if md != nil {
			if oneof, ok := sf.Tag.Lookup("protobuf_oneof"); ok {
				f.Oneof = 1
				g.describeOneof(t, md, oneof, sf)
			} else if fd := protoField(md, sf); fd != nil {
				f.P, f.Po = fd.JSONName(), string(fd.Name())
			}
		}
		d.F = append(d.F, f)
	}
	d.M = g.methods(t, d)
}

func protoField(md protoreflect.MessageDescriptor, sf reflect.StructField) protoreflect.FieldDescriptor {
	for _, part := range strings.Split(sf.Tag.Get("protobuf"), ",") {
		if n, ok := strings.CutPrefix(part, "name="); ok {
			return md.Fields().ByName(protoreflect.Name(n))
		}
	}
	return nil
}

// A oneof's Go field is an interface holding one wrapper struct per option: set each option once to learn
// the wrapper's type.
func (g *generator) describeOneof(t reflect.Type, md protoreflect.MessageDescriptor, oneof string, sf reflect.StructField) {
	od := md.Oneofs().ByName(protoreflect.Name(oneof))
	iface := g.types[g.add(sf.Type)]
	for i := 0; i < od.Fields().Len(); i++ {
		fd := od.Fields().Get(i)
		m := reflect.New(t)
		pm := m.Interface().(proto.Message).ProtoReflect()
		pm.Set(fd, pm.NewField(fd))
		wrapper := m.Elem().FieldByIndex(sf.Index).Elem().Type()
		wname := g.add(wrapper)
		wd := g.types[g.add(wrapper.Elem())]
		for j := range wd.F {
			wd.F[j].P, wd.F[j].Po = fd.JSONName(), string(fd.Name())
		}
		iface.Opts = append(iface.Opts, oneofOpt{P: fd.JSONName(), Po: string(fd.Name()), T: wname})
	}
}

func generate() string {
	g := &generator{types: map[string]*typeDesc{}, origin: map[string]reflect.Type{}}
	root := g.add(reflect.TypeOf(inject.SidecarTemplateData{}))
	names := make([]string, 0, len(g.types))
	for n := range g.types {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("// Generated by test/gotemplate/gotypes (`go run . gen`) from Istio's SidecarTemplateData: do not edit.\n")
	b.WriteString("// The Go types Istio's templates see, by the name %T prints; the shape is described in go-types.ts.\n")
	b.WriteString("import type { GoTypeDesc } from './go-types.ts';\n\n")
	fmt.Fprintf(&b, "export const ROOT_TYPE = %q;\n\n", root)
	b.WriteString("export const GO_TYPES: Readonly<Record<string, GoTypeDesc>> = {\n")
	for _, n := range names {
		j, err := json.Marshal(g.types[n])
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(&b, "  %q: %s,\n", n, j)
	}
	b.WriteString("};\n")
	return b.String()
}
