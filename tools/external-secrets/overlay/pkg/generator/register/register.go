// Replaces the module's pkg/generator/register for the fleet's controller (see cmd/monitoring-gitops-eso):
// upstream imports every generator (ECR, ACR, GCR, Vault… with their SDKs); the fleet uses none.
package register
