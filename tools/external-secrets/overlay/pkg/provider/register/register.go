// Replaces the module's pkg/provider/register for the fleet's controller (see cmd/monitoring-gitops-eso):
// upstream imports every provider, and with them every cloud SDK; the fleet's stores use the fake provider.
package register

import _ "github.com/external-secrets/external-secrets/pkg/provider/fake"
