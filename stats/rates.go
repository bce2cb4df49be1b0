package stats

import (
	"sort"
	"time"

	"yuetan/workflow"
)

// Holder kinds the 三率 are ranked by.
const (
	HolderUnit   = "unit"   // 承办单位
	HolderLeader = "leader" // 被约谈领导
	HolderStreet = "street" // 街道
)

// HolderLabels name the holder kinds.
var HolderLabels = map[string]string{HolderUnit: "承办单位", HolderLeader: "领导", HolderStreet: "街道"}

// ThreeRates is one handling unit's, leader's or street's 三率 — response
// (签收 on time), resolution and satisfaction, each with its counts — and
// its rank among its kind.
type ThreeRates struct {
	Kind         string `json:"kind"`
	ID           string `json:"id"`
	Name         string `json:"name"`
	Response     Rate   `json:"response"`
	Resolution   Rate   `json:"resolution"`
	Satisfaction Rate   `json:"satisfaction"`
	Rank         int    `json:"rank"`
}

// holderOf says whose a matter is for each kind, and when it came to
// them (the cohort of the resolution rate) and was resolved by them.
type holder struct {
	kind string
	id   func(r *appRow) string
	// came is the move that hands the matter to the holder.
	came string
	// resolved are the moves that resolve the matter for the holder
	// (the first counts).
	resolved []string
}

var holders = []holder{
	{HolderUnit, func(r *appRow) string { return r.HandlingUnit }, workflow.StatusInHandling,
		[]string{workflow.StatusFeedbackApproved}},
	{HolderLeader, func(r *appRow) string { return r.AssignedLeader }, workflow.StatusAccepted,
		[]string{workflow.StatusResolved, workflow.StatusFeedbackApproved}},
	{HolderStreet, func(r *appRow) string { return r.Street }, workflow.StatusSubmitted,
		[]string{workflow.StatusStreetResolved, workflow.StatusResolved, workflow.StatusFeedbackApproved}},
}

// responseStages are, per holder kind, the stages whose on-time act is
// its response (签收). A street acknowledges nothing: its response rate
// shows no counts.
var responseStages = map[string][]string{
	HolderUnit:   {workflow.DeadlineHandlerAck},
	HolderLeader: {workflow.DeadlineLeaderAck},
}

// ranking gathers the 三率 of every holder of the rows in [from, to), as
// of asOf.
type ranking struct {
	from, to, asOf time.Time
	names          func(kind, id string) string
	rows           map[string]*ThreeRates // kind/id
}

func newRanking(from, to, asOf time.Time, names func(kind, id string) string) *ranking {
	return &ranking{from: from, to: to, asOf: asOf, names: names, rows: map[string]*ThreeRates{}}
}

func (rk *ranking) of(kind, id string) *ThreeRates {
	k := kind + "/" + id
	t := rk.rows[k]
	if t == nil {
		t = &ThreeRates{Kind: kind, ID: id, Name: rk.names(kind, id)}
		rk.rows[k] = t
	}
	return t
}

// add counts one matter for each of its holders.
func (rk *ranking) add(r *appRow, mv moves) {
	for _, h := range holders {
		id := h.id(r)
		if id == "" {
			continue
		}
		// resolution: of the matters that came to the holder in the period,
		// those it resolved by the time of counting
		if mv.in(h.came, rk.from, rk.to) {
			var first time.Time
			for _, s := range h.resolved {
				if t := mv[s].first; !t.IsZero() && (first.IsZero() || t.Before(first)) {
					first = t
				}
			}
			rk.of(h.kind, id).Resolution.add(!first.IsZero() && first.Before(rk.asOf))
		}
		// satisfaction: the replies recorded in the period on its matters
		if mv.lastIn(workflow.StatusReplied, rk.from, rk.to) && r.Satisfaction != "" {
			rk.of(h.kind, id).Satisfaction.add(r.Satisfaction != workflow.SatisfactionDissatisfied)
		}
		// response: its 签收 stages, rated as the on-time rates are
		for _, field := range responseStages[h.kind] {
			for _, st := range Stages() {
				if st.Field != field {
					continue
				}
				if onTime, counted := stageOnTime(r, st, rk.from, rk.to, rk.asOf); counted {
					rk.of(h.kind, id).Response.add(onTime)
				}
			}
		}
	}
}

// list ranks each kind: by resolution rate, then satisfaction rate, then
// response rate (higher first); holders with no counts of a rate rank
// below those with; ties share a rank and are listed by name.
func (rk *ranking) list() []ThreeRates {
	var out []ThreeRates
	for _, t := range rk.rows {
		out = append(out, *t)
	}
	key := func(r Rate) float64 {
		if r.Done == 0 {
			return -1
		}
		return r.Rate
	}
	better := func(a, b ThreeRates) int {
		for _, p := range [][2]float64{{key(a.Resolution), key(b.Resolution)}, {key(a.Satisfaction), key(b.Satisfaction)}, {key(a.Response), key(b.Response)}} {
			if p[0] != p[1] {
				if p[0] > p[1] {
					return -1
				}
				return 1
			}
		}
		return 0
	}
	kindOrder := map[string]int{HolderUnit: 0, HolderLeader: 1, HolderStreet: 2}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Kind != b.Kind {
			return kindOrder[a.Kind] < kindOrder[b.Kind]
		}
		if c := better(a, b); c != 0 {
			return c < 0
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.ID < b.ID
	})
	for i := range out {
		switch {
		case i > 0 && out[i].Kind == out[i-1].Kind && better(out[i], out[i-1]) == 0:
			out[i].Rank = out[i-1].Rank
		case i > 0 && out[i].Kind == out[i-1].Kind:
			out[i].Rank = i + 1 - firstOf(out, out[i].Kind)
		default:
			out[i].Rank = 1
		}
	}
	return out
}

func firstOf(rows []ThreeRates, kind string) int {
	for i, r := range rows {
		if r.Kind == kind {
			return i
		}
	}
	return 0
}
