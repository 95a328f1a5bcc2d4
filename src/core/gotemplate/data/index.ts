// The data Istio's Go templates see: Go-typed values over JSON (see go-types.ts) and the SidecarTemplateData builder.
export { GoSlice, GoTypedMap } from './collections.ts';
export type { GoFieldDesc, GoMethodDesc, GoTypeDesc } from './go-types.ts';
export { goTypeDesc } from './go-types.ts';
export { GoNamedInt, GoUint } from './scalars.ts';
export { GoDuration, GoSpecial, goDurationString } from './specials.ts';
export { GoPointer, GoStruct, isEmptyValue, NilPointerError, UnsupportedMethodError } from './struct.ts';
export { type GoTemplateDataOptions, goTemplateData } from './template-data.ts';
export { goStringOrder, goValue, hasProtoJSON, jsonOf, type ProtoJSONCapable, protoJSONOf } from './wrap.ts';
