// The External Secrets Operator's core controller for the simulated fleet (scripts/fleet/external-secrets.ts):
// the SecretStore, ClusterSecretStore and ExternalSecret reconcilers of cmd/controller/root.go, with their
// flags fixed (no leader election, no metrics server, cluster stores on, controller class "default").
// No webhook, no cert-controller, no PushSecret, ClusterExternalSecret or generator controllers.
//
// This folder is an overlay: scripts/fleet/external-secrets.ts copies the module at the pin
// (fleet.externalSecrets in tools/pins.json) and writes these files over the copy before `go build`, so the
// module's own go.mod and go.sum decide every dependency. pkg/provider/register and pkg/generator/register
// are replaced so that only the built-in fake provider is linked in (upstream they import every cloud SDK).
package main

import (
	"flag"
	"os"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/server"

	esv1 "github.com/external-secrets/external-secrets/apis/externalsecrets/v1"
	genv1alpha1 "github.com/external-secrets/external-secrets/apis/generators/v1alpha1"
	ctrlcommon "github.com/external-secrets/external-secrets/pkg/controllers/common"
	"github.com/external-secrets/external-secrets/pkg/controllers/externalsecret"
	"github.com/external-secrets/external-secrets/pkg/controllers/externalsecret/esmetrics"
	ctrlmetrics "github.com/external-secrets/external-secrets/pkg/controllers/metrics"
	"github.com/external-secrets/external-secrets/pkg/controllers/secretstore"
	"github.com/external-secrets/external-secrets/pkg/controllers/secretstore/cssmetrics"
	"github.com/external-secrets/external-secrets/pkg/controllers/secretstore/ssmetrics"
)

func main() {
	// JSON lines at info level unless --zap-* flags say otherwise; --kubeconfig comes from controller-runtime.
	logOptions := zap.Options{}
	logOptions.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&logOptions)))
	log := ctrl.Log.WithName("setup")

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(esv1.AddToScheme(scheme))
	utilruntime.Must(genv1alpha1.AddToScheme(scheme))

	// The reconcilers update these metric vectors: they must exist even with no metrics server.
	ctrlmetrics.SetUpLabelNames(false)
	esmetrics.SetUpMetrics()
	ssmetrics.SetUpMetrics()
	cssmetrics.SetUpMetrics()

	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{Scheme: scheme, Metrics: server.Options{BindAddress: "0"}})
	if err != nil {
		log.Error(err, "unable to start manager")
		os.Exit(1)
	}
	options := func() controller.Options {
		return controller.Options{MaxConcurrentReconciles: 1, RateLimiter: ctrlcommon.BuildRateLimiter()}
	}
	setUp := func(name string, err error) {
		if err != nil {
			log.Error(err, "unable to create controller", "controller", name)
			os.Exit(1)
		}
	}
	storeInterval := 5 * time.Minute
	setUp("SecretStore", (&secretstore.StoreReconciler{
		Client: mgr.GetClient(), Log: ctrl.Log.WithName("controllers").WithName("SecretStore"), Scheme: scheme,
		ControllerClass: "default", RequeueInterval: storeInterval,
	}).SetupWithManager(mgr, options()))
	setUp("ClusterSecretStore", (&secretstore.ClusterStoreReconciler{
		Client: mgr.GetClient(), Log: ctrl.Log.WithName("controllers").WithName("ClusterSecretStore"), Scheme: scheme,
		ControllerClass: "default", RequeueInterval: storeInterval,
	}).SetupWithManager(mgr, options()))
	setUp("ExternalSecret", (&externalsecret.Reconciler{
		Client: mgr.GetClient(), SecretClient: mgr.GetClient(), Log: ctrl.Log.WithName("controllers").WithName("ExternalSecret"),
		Scheme: scheme, RestConfig: mgr.GetConfig(), ControllerClass: "default", RequeueInterval: time.Hour,
		ClusterSecretStoreEnabled: true, EnableFloodGate: true,
	}).SetupWithManager(mgr, options()))

	log.Info("starting manager")
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		log.Error(err, "problem running manager")
		os.Exit(1)
	}
}
