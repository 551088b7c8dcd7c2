package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/memkube/memkube/harness"
)

// controllerNames are the in-process controllers --controllers names, with
// the switch of each; kube-controller-manager's names, shortened as its
// aliases are, but validatingadmissionpolicy-status-controller's, which
// has no alias.
var controllerNames = map[string]func(c *harness.Controllers) *bool{
	"namespace":               func(c *harness.Controllers) *bool { return &c.NoNamespace },
	"serviceaccount":          func(c *harness.Controllers) *bool { return &c.NoServiceAccount },
	"garbagecollector":        func(c *harness.Controllers) *bool { return &c.NoGarbageCollector },
	"clusterrole-aggregation": func(c *harness.Controllers) *bool { return &c.NoClusterRoleAggregation },
	"resourcequota":           func(c *harness.Controllers) *bool { return &c.NoResourceQuota },
	"storage-protection":      func(c *harness.Controllers) *bool { return &c.NoStorageProtection },
	"disruption":              func(c *harness.Controllers) *bool { return &c.NoDisruption },
	"validatingadmissionpolicy-status-controller": func(c *harness.Controllers) *bool {
		return &c.NoValidatingAdmissionPolicyStatus
	},
}

// parseControllers reads --controllers as kube-controller-manager reads its
// flag of that name: a comma-separated list where "*" is every controller,
// "name" turns one on and "-name" turns one off; a list without "*" runs
// only the controllers it names, and an empty list none (what envtest runs).
func parseControllers(value string) (harness.Controllers, error) {
	var c harness.Controllers
	items := strings.Split(value, ",")
	if value == "" {
		items = nil
	}
	all := slices.Contains(items, "*")
	for _, off := range controllerNames {
		*off(&c) = !all
	}
	for _, item := range items {
		name, disable := strings.CutPrefix(strings.TrimSpace(item), "-")
		if name == "*" && !disable {
			continue
		}
		off, ok := controllerNames[name]
		if !ok {
			names := make([]string, 0, len(controllerNames))
			for n := range controllerNames {
				names = append(names, n)
			}
			slices.Sort(names)
			return c, fmt.Errorf("--controllers: unknown controller %q (known: %s)", name, strings.Join(names, ", "))
		}
		*off(&c) = disable
	}
	return c, nil
}
