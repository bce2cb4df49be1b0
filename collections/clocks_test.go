package collections_test

import (
	"testing"

	"yuetan/collections"
	"yuetan/workflow"
)

// TestDeadlineTableFieldsExist: every field the deadline table and the
// transition table's conditions name is an application field.
func TestDeadlineTableFieldsExist(t *testing.T) {
	apps := collections.NewApplications()
	var names []string
	for _, s := range workflow.Stages {
		names = append(names, s.Field, s.Start, s.Stop, s.Done, s.MovedBy)
	}
	names = append(names, workflow.WhenFields()...)
	for _, n := range names {
		if n != "" && apps.Fields.GetByName(n) == nil {
			t.Errorf("applications has no field %s", n)
		}
	}
}
