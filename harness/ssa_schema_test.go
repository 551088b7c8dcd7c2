package harness

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"maps"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/kube-openapi/pkg/builder3"
	"k8s.io/kube-openapi/pkg/schemaconv"
	"k8s.io/kube-openapi/pkg/validation/spec"
	smdschema "sigs.k8s.io/structured-merge-diff/v6/schema"

	"github.com/memkube/memkube/harness/apis"
	"github.com/memkube/memkube/harness/openapi"
	openapinamer "k8s.io/apiserver/pkg/endpoints/openapi"
)

var updateSSASchema = flag.Bool("update-ssa-schema", false, "rewrite harness/openapi/"+ssaSchemaFile)

const ssaSchemaFile = "zz_generated.ssa.go"

// TestServerSideApplySchema: the generated server-side-apply schema is the
// one managedfields.NewTypeConverter would build from the OpenAPI
// definitions of the types a server asks a converter for. With
// -update-ssa-schema (go generate ./harness/openapi) it rewrites the file.
func TestServerSideApplySchema(t *testing.T) {
	s, err := Start(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Stop()
	var names []string
	typeConverters.mu.Lock()
	for key := range typeConverters.built {
		if strings.Contains(key, "io.k8s.api.core.v1.Pod,") {
			names = strings.Split(key, ",")
		}
	}
	typeConverters.mu.Unlock()
	if names == nil {
		t.Fatal("the server asked for no converter of the built-in types")
	}

	scheme, _ := apis.NewScheme()
	config := openAPIV3Config(openapi.GetOpenAPIDefinitions, openapinamer.NewDefinitionNamer(scheme))
	openAPIBuilds.Lock()
	definitions, err := builder3.BuildOpenAPIDefinitionsForResources(config, names...)
	openAPIBuilds.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	smd, err := schemaconv.ToSchemaFromOpenAPI(definitions, false)
	if err != nil {
		t.Fatal(err)
	}
	// types and fields in name order: they come in map order, and both are
	// looked up by name.
	slices.SortFunc(smd.Types, func(a, b smdschema.TypeDef) int { return strings.Compare(a.Name, b.Name) })
	for _, d := range smd.Types {
		if d.Map != nil {
			slices.SortFunc(d.Map.Fields, func(a, b smdschema.StructField) int { return strings.Compare(a.Name, b.Name) })
		}
	}
	for i := 1; i < len(smd.Types); i++ {
		if smd.Types[i].Name == smd.Types[i-1].Name {
			t.Fatalf("two types named %s", smd.Types[i].Name)
		}
	}
	checkSchemaConverter(t, definitions)
	src, err := ssaSchemaSource(names, reflect.ValueOf(smd.Types), kindsOf(definitions))
	if err != nil {
		t.Fatal(err)
	}
	path := "openapi/" + ssaSchemaFile
	if *updateSSASchema {
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, src) {
		t.Fatalf("%s is not what the OpenAPI definitions give: run go generate ./harness/openapi", path)
	}
}

// checkSchemaConverter: the converter over the generated schema answers as
// upstream's over the definitions, for a known kind and an unknown one.
func checkSchemaConverter(t *testing.T, definitions map[string]*spec.Schema) {
	upstream, err := managedfields.NewTypeConverter(definitions, false)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := newSchemaConverter(openapi.SSASchema())
	if err != nil {
		t.Fatal(err)
	}
	replicas := int32(2)
	deployment := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "d", Labels: map[string]string{"app": "d"}},
		Spec: appsv1.DeploymentSpec{Replicas: &replicas, Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "c", Image: "i", Ports: []corev1.ContainerPort{{ContainerPort: 80}}}},
		}}},
	}
	want, err := upstream.ObjectToTyped(deployment)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ours.ObjectToTyped(deployment)
	if err != nil {
		t.Fatal(err)
	}
	wantSet, _ := want.ToFieldSet()
	gotSet, _ := got.ToFieldSet()
	if !gotSet.Equals(wantSet) {
		t.Errorf("a Deployment's fields: %v, want %v", gotSet, wantSet)
	}
	wantObj, _ := upstream.TypedToObject(want)
	gotObj, _ := ours.TypedToObject(got)
	if !reflect.DeepEqual(gotObj, wantObj) {
		t.Errorf("a Deployment back: %v, want %v", gotObj, wantObj)
	}
	unknown := &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1beta1", Kind: "Deployment"}}
	_, wantErr := upstream.ObjectToTyped(unknown)
	_, gotErr := ours.ObjectToTyped(unknown)
	if wantErr == nil || gotErr == nil || reflect.TypeOf(gotErr) != reflect.TypeOf(wantErr) || gotErr.Error() != wantErr.Error() {
		t.Errorf("an unknown kind: %v (%T), want %v (%T)", gotErr, gotErr, wantErr, wantErr)
	}
}

// kindsOf are the kinds definitions name (x-kubernetes-group-version-kind),
// as managedfields' indexModels reads them.
func kindsOf(definitions map[string]*spec.Schema) []openapi.SSAKind {
	var kinds []openapi.SSAKind
	for name, d := range definitions {
		gvks, _ := d.Extensions["x-kubernetes-group-version-kind"].([]any)
		for _, gvk := range gvks {
			m, _ := gvk.(map[string]any)
			k := openapi.SSAKind{Type: name}
			k.Group, _ = m["group"].(string)
			k.Version, _ = m["version"].(string)
			k.Kind, _ = m["kind"].(string)
			if k.Kind != "" {
				kinds = append(kinds, k)
			}
		}
	}
	slices.SortFunc(kinds, func(a, b openapi.SSAKind) int {
		return strings.Compare(a.Group+"/"+a.Version+"/"+a.Kind, b.Group+"/"+b.Version+"/"+b.Kind)
	})
	return kinds
}

// ssaSchemaSource is the generated file: names, and types and kinds as Go
// literals.
func ssaSchemaSource(names []string, types reflect.Value, kinds []openapi.SSAKind) ([]byte, error) {
	var body bytes.Buffer
	l := literals{b: &body, imports: map[string]string{}}
	if err := l.write(types); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("// Code generated by harness's TestServerSideApplySchema -update-ssa-schema. DO NOT EDIT.\n\n")
	b.WriteString("package openapi\n\nimport (\n")
	for _, name := range slices.Sorted(maps.Keys(l.imports)) {
		fmt.Fprintf(&b, "%s %q\n", name, l.imports[name])
	}
	b.WriteString(")\n\n")
	b.WriteString("// SSATypeNames are the types SSASchema is built for (sorted): those of the\n// built-in resources a server serves.\n")
	b.WriteString("var SSATypeNames = []string{\n")
	for _, n := range names {
		fmt.Fprintf(&b, "%q,\n", n)
	}
	b.WriteString("}\n\n")
	b.WriteString("// SSASchema is the server-side-apply (structured-merge-diff) schema of\n")
	b.WriteString("// SSATypeNames and the types they refer to, as managedfields.NewTypeConverter\n")
	b.WriteString("// builds it from their OpenAPI definitions, and the kinds of its types.\n")
	b.WriteString("func SSASchema() (*schema.Schema, []SSAKind) {\nreturn &schema.Schema{Types: ")
	b.Write(body.Bytes())
	b.WriteString("}, []SSAKind{\n")
	for _, k := range kinds {
		fmt.Fprintf(&b, "{%q, %q, %q, %q},\n", k.Group, k.Version, k.Kind, k.Type)
	}
	b.WriteString("}\n}\n")
	return format.Source(b.Bytes())
}

// literals writes values as Go expressions (exported, non-zero fields
// only) and collects the packages they name.
type literals struct {
	b       *bytes.Buffer
	imports map[string]string // name: path
}

// typeName is t as the generated file names it.
func (l literals) typeName(t reflect.Type) (string, error) {
	if t.PkgPath() != "" {
		name, _, _ := strings.Cut(t.String(), ".")
		if have, ok := l.imports[name]; ok && have != t.PkgPath() {
			return "", fmt.Errorf("packages %s and %s are both named %s", have, t.PkgPath(), name)
		}
		l.imports[name] = t.PkgPath()
	}
	return t.String(), nil
}

func (l literals) write(v reflect.Value) error {
	b := l.b
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return nil
		}
		if v.Elem().Kind() == reflect.Struct {
			b.WriteString("&")
			return l.write(v.Elem())
		}
		b.WriteString("ptr(")
		if err := l.write(v.Elem()); err != nil {
			return err
		}
		b.WriteString(")")
	case reflect.Struct:
		name, err := l.typeName(v.Type())
		if err != nil {
			return err
		}
		b.WriteString(name + "{")
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() && !v.Field(i).IsZero() {
				b.WriteString(f.Name + ": ")
				if err := l.write(v.Field(i)); err != nil {
					return err
				}
				b.WriteString(", ")
			}
		}
		b.WriteString("}")
	case reflect.Slice:
		name, err := l.typeName(v.Type())
		if err != nil {
			return err
		}
		b.WriteString(name + "{\n")
		for i := range v.Len() {
			if err := l.write(v.Index(i)); err != nil {
				return err
			}
			b.WriteString(",\n")
		}
		b.WriteString("}")
	case reflect.String:
		name, err := l.typeName(v.Type())
		if err != nil {
			return err
		}
		if name == "string" {
			b.WriteString(strconv.Quote(v.String()))
		} else {
			fmt.Fprintf(b, "%s(%q)", name, v.String())
		}
	case reflect.Bool:
		fmt.Fprint(b, v.Bool())
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Float32, reflect.Float64:
		name, err := l.typeName(v.Type())
		if err != nil {
			return err
		}
		fmt.Fprintf(b, "%s(%v)", name, v.Interface())
	case reflect.Interface:
		// defaults: the definitions' own values, of their dynamic types.
		if v.IsNil() {
			b.WriteString("nil")
			return nil
		}
		return l.write(v.Elem())
	case reflect.Map:
		name, err := l.typeName(v.Type())
		if err != nil {
			return err
		}
		b.WriteString(name + "{")
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			if err := l.write(k); err != nil {
				return err
			}
			b.WriteString(": ")
			if err := l.write(v.MapIndex(k)); err != nil {
				return err
			}
			b.WriteString(",\n")
		}
		b.WriteString("}")
	default:
		return fmt.Errorf("no Go literal for %s", v.Type())
	}
	return nil
}
