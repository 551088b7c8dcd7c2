package printers

import (
	"sort"

	flowcontrolv1 "k8s.io/api/flowcontrol/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func flowcontrol(s *set) {
	r := flowcontrolv1.Resource
	fs := add[flowcontrolv1.FlowSchema, flowcontrolv1.FlowSchemaList](s, flowSchemaColumns, cells(printFlowSchema), r("flowschemas"))
	fs.list = printFlowSchemaList
	add[flowcontrolv1.PriorityLevelConfiguration, flowcontrolv1.PriorityLevelConfigurationList](s, priorityLevelColumns, cells(printPriorityLevel), r("prioritylevelconfigurations"))
}

var flowSchemaColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "PriorityLevel", Type: "string", Description: flowcontrolv1.PriorityLevelConfigurationReference{}.SwaggerDoc()["name"]},
	{Name: "MatchingPrecedence", Type: "string", Description: flowcontrolv1.FlowSchemaSpec{}.SwaggerDoc()["matchingPrecedence"]},
	{Name: "DistinguisherMethod", Type: "string", Description: flowcontrolv1.FlowSchemaSpec{}.SwaggerDoc()["distinguisherMethod"]},
	ageColumn,
	{Name: "MissingPL", Type: "string", Description: "references a broken or non-existent PriorityLevelConfiguration"},
}

// printFlowSchema: MISSINGPL is the status of the Dangling condition, "?"
// before the controller sets it.
func printFlowSchema(fs *flowcontrolv1.FlowSchema) []interface{} {
	distinguisher := "<none>"
	if fs.Spec.DistinguisherMethod != nil {
		distinguisher = string(fs.Spec.DistinguisherMethod.Type)
	}
	missing := "?"
	for _, c := range fs.Status.Conditions {
		if c.Type == flowcontrolv1.FlowSchemaConditionDangling {
			missing = string(c.Status)
			break
		}
	}
	return []interface{}{fs.Name, fs.Spec.PriorityLevelConfiguration.Name, int64(fs.Spec.MatchingPrecedence), distinguisher, age(fs.CreationTimestamp), missing}
}

// printFlowSchemaList prints in matching order: by precedence, then name.
func printFlowSchemaList(items []runtime.Object) ([]metav1.TableRow, error) {
	sorted := make([]*flowcontrolv1.FlowSchema, len(items))
	for i, item := range items {
		sorted[i] = item.(*flowcontrolv1.FlowSchema)
	}
	sort.Sort(flowSchemaSequence(sorted))
	rows := make([]metav1.TableRow, 0, len(sorted))
	for _, fs := range sorted {
		rows = append(rows, metav1.TableRow{Cells: printFlowSchema(fs), Object: runtime.RawExtension{Object: fs}})
	}
	return rows, nil
}

// flowSchemaSequence is upstream's FlowSchemaSequence: sort.Sort, not a
// stable sort, so that equal schemas land where upstream's land.
type flowSchemaSequence []*flowcontrolv1.FlowSchema

func (s flowSchemaSequence) Len() int      { return len(s) }
func (s flowSchemaSequence) Swap(i, j int) { s[i], s[j] = s[j], s[i] }
func (s flowSchemaSequence) Less(i, j int) bool {
	if ip, jp := s[i].Spec.MatchingPrecedence, s[j].Spec.MatchingPrecedence; ip != jp {
		return ip < jp
	}
	return s[i].Name < s[j].Name
}

var priorityLevelColumns = []metav1.TableColumnDefinition{
	nameColumn,
	{Name: "Type", Type: "string", Description: flowcontrolv1.PriorityLevelConfigurationSpec{}.SwaggerDoc()["type"]},
	{Name: "NominalConcurrencyShares", Type: "string", Description: flowcontrolv1.LimitedPriorityLevelConfiguration{}.SwaggerDoc()["nominalConcurrencyShares"]},
	{Name: "Queues", Type: "string", Description: flowcontrolv1.QueuingConfiguration{}.SwaggerDoc()["queues"]},
	{Name: "HandSize", Type: "string", Description: flowcontrolv1.QueuingConfiguration{}.SwaggerDoc()["handSize"]},
	{Name: "QueueLengthLimit", Type: "string", Description: flowcontrolv1.QueuingConfiguration{}.SwaggerDoc()["queueLengthLimit"]},
	ageColumn,
}

// printPriorityLevel prints the numbers as int32, as upstream's internal
// type holds them, or "<none>" for an exempt or non-queuing level.
func printPriorityLevel(pl *flowcontrolv1.PriorityLevelConfiguration) []interface{} {
	var ncs, queues, handSize, queueLengthLimit interface{} = "<none>", "<none>", "<none>", "<none>"
	if l := pl.Spec.Limited; l != nil {
		ncs = deref(l.NominalConcurrencyShares)
		if q := l.LimitResponse.Queuing; q != nil {
			queues, handSize, queueLengthLimit = q.Queues, q.HandSize, q.QueueLengthLimit
		}
	}
	return []interface{}{pl.Name, string(pl.Spec.Type), ncs, queues, handSize, queueLengthLimit, age(pl.CreationTimestamp)}
}
