// The capture (istio-iptables) API for the rest of the project: settings from flags, the rules they
// give, and the capture of an injected pod (for /preview). Process-running parts stay in apply.ts.
export { CaptureSettingError } from './errors.ts';
export { parseCaptureArgs, defaultCaptureSettings, type CaptureSettings } from './settings.ts';
export { generateRules, type CaptureRules, type CaptureRuntime } from './rules.ts';
export { toIstioIptablesArgs, toIstioIptablesEnv } from './args.ts';
export { describeRules } from './format.ts';
export { captureSettingsForPod, captureOfPod, type PodCapture } from './pod.ts';
