package stats

import "yuetan/workflow"

// MovedSQL is, as SQL, when the application whose id is the expression
// idExpr first moved into status to: the first audit-trail row
// (`events`, written in the transaction of the move) that says so, or
// NULL. Each figure of a period counts the event that defines it, never
// a record's creation time: a draft is no application received, and an
// application created in October and submitted in November is
// November's. The ledger (台账) selects its rows by the same expression.
func MovedSQL(idExpr, to string) string {
	return "(SELECT MIN(__ev.created) FROM events __ev WHERE __ev.application = " + idExpr +
		" AND __ev.to_status = '" + to + "')"
}

// SubmittedSQL is when the application idExpr was first submitted (收到申请).
func SubmittedSQL(idExpr string) string { return MovedSQL(idExpr, workflow.StatusSubmitted) }

// OutcomeSQL is how the application idExpr's talk ended (处理方式): the
// latest talk's recorded outcome, or NULL.
func OutcomeSQL(idExpr string) string {
	return "(SELECT __t.outcome FROM talks __t WHERE __t.application = " + idExpr +
		" AND __t.outcome != '' ORDER BY __t.created DESC LIMIT 1)"
}

// SatisfactionSQL is what the applicant last said of the result (满意度):
// the latest feedback's satisfaction, or NULL.
func SatisfactionSQL(idExpr string) string {
	return "(SELECT __f.satisfaction FROM feedback __f WHERE __f.application = " + idExpr +
		" AND __f.satisfaction != '' ORDER BY __f.created DESC LIMIT 1)"
}

// Stage is one clock of the deadline table as the figures rate it: its
// due-date field, the field recording when its act was done, its name,
// and whether it is an acknowledgement (签收: the response rate's).
type Stage struct {
	Field, Done, Label string
	Ack                bool
}

// Stages are the clocks of the deadline table (workflow.Stages) that
// have an act of their own, the figures rate and the ledger prints, in
// process order.
func Stages() []Stage {
	var out []Stage
	for _, s := range workflow.Stages {
		if s.Done != "" {
			out = append(out, Stage{Field: s.Field, Done: s.Done, Label: s.Label, Ack: s.Stop != ""})
		}
	}
	return out
}
