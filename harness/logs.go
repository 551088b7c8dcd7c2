package harness

import (
	"flag"
	"io"
	"os"
	"sync"

	"k8s.io/klog/v2"
)

// LogEnv names the environment variable that keeps klog as the process set
// it up, as Options.ServerLogs does: MEMKUBE_LOG=1.
const LogEnv = "MEMKUBE_LOG"

// quietKlog is done once per process, at the first Start that wants quiet
// logs. klog is process-global, so servers cannot each choose.
var quietKlog sync.Once

// configureLogs keeps k8s.io/apiserver's info and warning lines (hundreds
// per server start) out of the process's stderr unless the caller asked for
// them. Errors still reach stderr. A real kube-apiserver logs in its own
// process, which test output never shows; quieting matches what envtest
// users see. The first Start of a process decides.
func configureLogs(serverLogs bool) {
	if serverLogs || os.Getenv(LogEnv) != "" {
		quietKlog.Do(func() {})
		return
	}
	quietKlog.Do(func() {
		var fs flag.FlagSet
		klog.InitFlags(&fs)
		for name, value := range map[string]string{
			"logtostderr":     "false",
			"alsologtostderr": "false",
			"stderrthreshold": "ERROR",
		} {
			if err := fs.Set(name, value); err != nil {
				panic("harness: klog flag " + name + ": " + err.Error())
			}
		}
		// every severity's file writer; without it klog would create log
		// files in the temporary directory.
		klog.SetOutput(io.Discard)
	})
}
