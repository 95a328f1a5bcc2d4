// The e2e harness in one import: a real control plane, certificates from its CA, API calls, bounded waits.
export {
  startControlPlane,
  controlPlaneBinDir,
  type ControlPlane,
  type ControlPlaneOptions,
  type KubectlOptions,
  type KubectlResult,
  type TestUser,
} from './control-plane.ts';
export { createTestCA, issueServerCert, type IssuedCert, type TestCA } from './certs.ts';
export { apiCall, ApiError, createNamespace, createPod, podManifest, type ApiTarget } from './api.ts';
export { waitFor, type WaitOptions } from './wait.ts';
export { freePort, freePorts } from './ports.ts';
export { startWebhookProcess, type WebhookProcess, type WebhookProcessOptions } from './injector.ts';
export {
  applyDeployRbac,
  containerNames,
  DEPLOY_DIR,
  dryRunPod,
  initContainerNames,
  renderDeploy,
  serviceAccountKubeconfig,
  waitForInjection,
  waitForRefusal,
  webhookConfigurationFromDeploy,
  type K8sObject,
  type StoredPod,
  type WebhookConfigurationOptions,
} from './deploy.ts';
