// The data Istio's Go templates see: Go-typed values over JSON (types from go-types.generated.ts) and the
// SidecarTemplateData builder. For the executor and the functions:
// - field(name) follows Go: methods first (pointer receivers only on pointers and addressable values),
//   then fields; on a nil pointer a field throws NilPointerError ("nil pointer evaluating *T.F"), a
//   protobuf getter answers the zero value; a method Go has but this engine does not implement throws
//   UnsupportedMethodError. A typed map answers `.key` with undefined when missing (Go's invalid value),
//   mapIndex(key) with the element's zero value (`index`); keyType() other than 'string' refuses both.
// - jsonOf(v) is encoding/json's marshal (ints as bigint, map keys in Go's order; Istio's API messages
//   marshal as protojson, as their MarshalJSON does); protoJSONOf(v) is protojson (protomarshal.ToJSON).
// - formatV() is what {{ v }} prints, or undefined where Go prints what cannot be reproduced here
//   (protobuf text format, Kubernetes' generated String(), addresses of nested pointers).
export { GoSlice, GoTypedMap } from './collections.ts';
export { formatFloat, formatNested } from './format.ts';
export type { GoFieldDesc, GoMember, GoMethodDesc, GoTypeDesc } from './go-types.ts';
export { goTypeDesc, membersOf } from './go-types.ts';
export { GoNamedInt, GoUint } from './scalars.ts';
export { GoDuration, GoSpecial, goDurationString } from './specials.ts';
export { GoPointer, GoStruct, isEmptyValue, isZeroValue, NilPointerError, UnsupportedMethodError } from './struct.ts';
export { type GoTemplateDataOptions, goTemplateData } from './template-data.ts';
export { GoOfType } from './typed.ts';
export { goStringOrder, goValue, hasProtoJSON, jsonOf, type ProtoJSONCapable, protoJSONOf } from './wrap.ts';
