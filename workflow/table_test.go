package workflow

import (
	"errors"
	"slices"
	"testing"
)

func TestCanTransition(t *testing.T) {
	staff := Actor{ID: "u1", Role: RoleCommunityStaff, Org: "hc"}
	otherStaff := Actor{ID: "u2", Role: RoleCommunityStaff, Org: "dh"}
	street := Actor{ID: "u3", Role: RoleStreetReviewer, Org: "dl"}
	wg := Actor{ID: "u4", Role: RoleWorkingGroup}
	leader := Actor{ID: "lead", Role: RoleLeader}
	otherLeader := Actor{ID: "lead2", Role: RoleLeader}
	handler := Actor{ID: "h", Role: RoleHandler, Org: "cg"}
	sup := Actor{ID: "s", Role: RoleSupervisor}
	subj := Subject{Community: "hc", Street: "dl", AssignedLeader: "lead", HandlingUnit: "cg"}
	cases := []struct {
		name     string
		from, to string
		via      Via
		actor    Actor
		action   string // "" = refused
		code     string
	}{
		{"create", StatusNew, StatusDraft, ViaAppCreate, staff, "create", ""},
		{"create other community", StatusNew, StatusDraft, ViaAppCreate, otherStaff, "", "out_of_scope"},
		{"create by grid worker", StatusNew, StatusDraft, ViaAppCreate, Actor{Role: RoleGridWorker, Org: "hc"}, "", "role_not_allowed"},
		{"submit", StatusDraft, StatusSubmitted, ViaAppUpdate, staff, "submit", ""},
		{"submit by street", StatusDraft, StatusSubmitted, ViaAppUpdate, street, "", "role_not_allowed"},
		{"forward", StatusSubmitted, StatusForwarded, ViaAppUpdate, street, "forward", ""},
		{"forward by other street", StatusSubmitted, StatusForwarded, ViaAppUpdate, Actor{Role: RoleStreetReviewer, Org: "bh"}, "", "out_of_scope"},
		{"return", StatusSubmitted, StatusDraft, ViaAppUpdate, street, "return", ""},
		{"street resolve", StatusSubmitted, StatusStreetResolved, ViaAppUpdate, street, "street_resolve", ""},
		{"accept", StatusForwarded, StatusAccepted, ViaAppUpdate, wg, "accept", ""},
		{"accept skipping street", StatusSubmitted, StatusAccepted, ViaAppUpdate, wg, "", "transition_not_allowed"},
		{"decline", StatusForwarded, StatusDeclined, ViaAppUpdate, wg, "decline", ""},
		{"notify", StatusAccepted, StatusNotified, ViaAppUpdate, wg, "notify", ""},
		{"notify by leader", StatusAccepted, StatusNotified, ViaAppUpdate, leader, "", "role_not_allowed"},
		{"schedule", StatusNotified, StatusScheduled, ViaTalkCreate, leader, "schedule", ""},
		{"schedule by another leader", StatusNotified, StatusScheduled, ViaTalkCreate, otherLeader, "", "out_of_scope"},
		{"schedule by status edit", StatusNotified, StatusScheduled, ViaAppUpdate, leader, "", "transition_not_allowed"},
		{"on the spot", StatusScheduled, StatusResolved, ViaTalkUpdate, leader, "resolve_on_spot", ""},
		{"assign", StatusScheduled, StatusInHandling, ViaTalkUpdate, leader, "assign", ""},
		{"feedback", StatusInHandling, StatusFeedbackSubmitted, ViaFeedbackCreate, handler, "submit_feedback", ""},
		{"feedback other unit", StatusInHandling, StatusFeedbackSubmitted, ViaFeedbackCreate, Actor{Role: RoleHandler, Org: "zj"}, "", "out_of_scope"},
		{"approve", StatusFeedbackSubmitted, StatusFeedbackApproved, ViaFeedbackUpdate, leader, "approve_feedback", ""},
		{"return feedback", StatusFeedbackSubmitted, StatusInHandling, ViaFeedbackUpdate, leader, "return_feedback", ""},
		{"reply", StatusFeedbackApproved, StatusReplied, ViaFeedbackUpdate, staff, "reply", ""},
		{"reply by working group", StatusFeedbackApproved, StatusReplied, ViaFeedbackUpdate, wg, "reply", ""},
		{"reply other community", StatusFeedbackApproved, StatusReplied, ViaFeedbackUpdate, otherStaff, "", "out_of_scope"},
		{"close replied", StatusReplied, StatusClosed, ViaAppUpdate, sup, "close", ""},
		{"close declined", StatusDeclined, StatusClosed, ViaAppUpdate, sup, "close", ""},
		{"close street resolved", StatusStreetResolved, StatusClosed, ViaAppUpdate, sup, "close", ""},
		{"close open matter", StatusInHandling, StatusClosed, ViaAppUpdate, sup, "", "transition_not_allowed"},
		{"close by working group", StatusReplied, StatusClosed, ViaAppUpdate, wg, "", "role_not_allowed"},
		{"reopen closed", StatusClosed, StatusDraft, ViaAppUpdate, staff, "", "transition_not_allowed"},
		{"guest", StatusDraft, StatusSubmitted, ViaAppUpdate, Actor{}, "", "role_not_allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr, err := CanTransition(c.from, c.to, c.via, c.actor, subj)
			if c.action != "" {
				if err != nil || tr.Action != c.action {
					t.Fatalf("got %q, %v; want %q", tr.Action, err, c.action)
				}
				return
			}
			var we *Error
			if !errors.As(err, &we) || we.Code != c.code {
				t.Fatalf("got %v; want refusal %q", err, c.code)
			}
			if we.Message == "" {
				t.Fatal("refusal without a message")
			}
		})
	}
}

// TestTableIsConsistent checks every row's roles, statuses and scopes are
// known and every status but closed can be left.
func TestTableIsConsistent(t *testing.T) {
	leaves := map[string]bool{}
	for _, tr := range Table {
		if tr.From != StatusNew && !slices.Contains(Statuses, tr.From) || !slices.Contains(Statuses, tr.To) {
			t.Errorf("%s: unknown status %q→%q", tr.Action, tr.From, tr.To)
		}
		for _, r := range tr.Roles {
			if !slices.Contains(Roles, r) {
				t.Errorf("%s: unknown role %q", tr.Action, r)
			}
		}
		if tr.Label == "" {
			t.Errorf("%s: no label", tr.Action)
		}
		if tr.From != tr.To {
			leaves[tr.From] = true
		}
	}
	for _, s := range Statuses {
		if s != StatusClosed && !leaves[s] {
			t.Errorf("status %s is a dead end", s)
		}
	}
}

func TestCanEdit(t *testing.T) {
	staff := Actor{ID: "u1", Role: RoleCommunityStaff, Org: "hc"}
	subj := Subject{Community: "hc", AssignedLeader: "lead", HandlingUnit: "cg"}
	cases := []struct {
		name, collection, status string
		fields                   []string
		actor                    Actor
		ok                       bool
	}{
		{"draft content", "applications", StatusDraft, []string{"subject", "issues"}, staff, true},
		{"submitted content", "applications", StatusSubmitted, []string{"subject"}, staff, false},
		{"scan any time", "applications", StatusClosed, []string{"signed_scan"}, staff, true},
		{"scan other community", "applications", StatusClosed, []string{"signed_scan"}, Actor{Role: RoleCommunityStaff, Org: "dh"}, false},
		{"serial never", "applications", StatusDraft, []string{"serial"}, staff, false},
		{"wg marks urgent", "applications", StatusForwarded, []string{"urgent"}, Actor{Role: RoleWorkingGroup}, true},
		{"talk notes", "talks", StatusInHandling, []string{"participants"}, Actor{ID: "lead", Role: RoleLeader}, true},
		{"talk outcome", "talks", StatusInHandling, []string{"outcome"}, Actor{ID: "lead", Role: RoleLeader}, false},
		{"feedback text", "feedback", StatusFeedbackSubmitted, []string{"result"}, Actor{Role: RoleHandler, Org: "cg"}, true},
		{"feedback after approval", "feedback", StatusFeedbackApproved, []string{"result"}, Actor{Role: RoleHandler, Org: "cg"}, false},
	}
	for _, c := range cases {
		err := CanEdit(c.collection, c.status, c.fields, c.actor, subj)
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v, want ok=%v", c.name, err, c.ok)
		}
	}
}
