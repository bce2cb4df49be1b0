package workflow

import (
	"os"
	"strconv"
	"time"

	"yuetan/workdays"
)

// Deadline fields on an application: one per stage (see Stages).
const (
	DeadlineStreet     = "street_due"
	DeadlineReview     = "review_due"
	DeadlineNotice     = "notice_due"
	DeadlineLeaderAck  = "leader_ack_due"
	DeadlineSchedule   = "schedule_due"
	DeadlineTalk       = "talk_due"
	DeadlineHandlerAck = "handler_ack_due"
	DeadlineHandling   = "handling_due"
	DeadlineApproval   = "approval_due"
	DeadlineReply      = "reply_due"
	DeadlineClose      = "close_due"
)

// StageAt is the application field holding when it entered its status:
// the start of the clocks that count from the move into their status.
const StageAt = "stage_at"

// Clock says how a stage's due date is computed.
type Clock string

// Clocks.
const (
	// ClockWorkdays: Days working days after the stage's start.
	ClockWorkdays Clock = "workdays"
	// ClockReview: urgent matters within Days working days, others at the
	// working group's next monthly review day (原则上一月一审).
	ClockReview Clock = "review"
	// ClockScheduledDay: the end of the day the talk is scheduled on.
	ClockScheduledDay Clock = "scheduled_day"
	// ClockSetByMove: the move into the stage names the date (the leader
	// sets the handling deadline when assigning; 重办 sets a new one).
	ClockSetByMove Clock = "set_by_move"
)

// Stage is one row of the deadline table: one clock of an application.
type Stage struct {
	Field  string // the application date field holding the due instant
	Status string // the status in which the clock runs
	Start  string // the application field whose time starts the clock
	// Stop, when set, is the application field whose being set stops the
	// clock before the status changes (签收); entering Status clears it.
	Stop  string
	Clock Clock
	// Days is the length in working days (ClockWorkdays, ClockReview's
	// urgent case); Setting, when set, is the environment variable that
	// overrides it (stages the seed is silent on).
	Days    int
	Setting string
	Label   string
	// Holder is who must act before the due date: the reminders and
	// overdue flags of this stage go to them.
	Holder Holder
	// Done is the application field recording when the stage's act was
	// done, for the on-time rates ("" when the stage has none of its own).
	Done string
	// MovedBy, when set, is the field whose being set means the due date
	// was moved by an approved request (延期): the calendar's changes
	// leave it where it was moved.
	MovedBy string
}

// Holder is the role (and the scope within it) responsible for a stage.
type Holder struct {
	Role  string
	Scope Scope
}

// Stages is the deadline table: every clock, in process order. The
// moves start them (StartClocks), the calendar's changes recompute them,
// the supervision job flags them, /api/workflow serves them to the queue
// and the figures and forms read their due dates from it.
var Stages = []Stage{
	{Field: DeadlineStreet, Status: StatusSubmitted, Start: "submitted_at", Clock: ClockWorkdays, Days: 5, Setting: "YUETAN_STREET_REVIEW_DAYS",
		Label: "街道审核", Holder: Holder{RoleStreetReviewer, ScopeStreet}},
	{Field: DeadlineReview, Status: StatusForwarded, Start: "forwarded_at", Clock: ClockReview, Days: 3,
		Label: "专门工作小组审核", Holder: Holder{RoleWorkingGroup, ScopeAny}, Done: "reviewed_at"},
	{Field: DeadlineNotice, Status: StatusAccepted, Start: "accepted_at", Clock: ClockWorkdays, Days: 3,
		Label: "交办通知单送达（3个工作日）", Holder: Holder{RoleWorkingGroup, ScopeAny}, Done: "notified_at"},
	{Field: DeadlineLeaderAck, Status: StatusNotified, Start: StageAt, Stop: "leader_ack_at", Clock: ClockWorkdays, Days: 1, Setting: "YUETAN_ACK_DAYS",
		Label: "领导签收", Holder: Holder{RoleLeader, ScopeAssignedLeader}, Done: "leader_ack_at"},
	{Field: DeadlineSchedule, Status: StatusNotified, Start: "notified_at", Clock: ClockWorkdays, Days: 5, MovedBy: "postpone_reason",
		Label: "领导商定约谈（5个工作日）", Holder: Holder{RoleLeader, ScopeAssignedLeader}, Done: "scheduled_at"},
	{Field: DeadlineTalk, Status: StatusScheduled, Start: "scheduled_at", Clock: ClockScheduledDay,
		Label: "按商定时间约谈", Holder: Holder{RoleLeader, ScopeAssignedLeader}},
	{Field: DeadlineHandlerAck, Status: StatusInHandling, Start: StageAt, Stop: "handler_ack_at", Clock: ClockWorkdays, Days: 1, Setting: "YUETAN_ACK_DAYS",
		Label: "承办单位签收", Holder: Holder{RoleHandler, ScopeHandlingUnit}, Done: "handler_ack_at"},
	{Field: DeadlineHandling, Status: StatusInHandling, Start: StageAt, Clock: ClockSetByMove,
		Label: "承办单位办结", Holder: Holder{RoleHandler, ScopeHandlingUnit}, Done: "feedback_at"},
	{Field: DeadlineApproval, Status: StatusFeedbackSubmitted, Start: StageAt, Clock: ClockWorkdays, Days: 3, Setting: "YUETAN_APPROVAL_DAYS",
		Label: "领导审核反馈", Holder: Holder{RoleLeader, ScopeAssignedLeader}},
	{Field: DeadlineReply, Status: StatusFeedbackApproved, Start: StageAt, Clock: ClockWorkdays, Days: 5, Setting: "YUETAN_REPLY_DAYS",
		Label: "向约谈主体答复", Holder: Holder{RoleCommunityStaff, ScopeCommunity}},
	{Field: DeadlineClose, Status: StatusReplied, Start: StageAt, Clock: ClockWorkdays, Days: 10, Setting: "YUETAN_CLOSE_DAYS",
		Label: "督查销号", Holder: Holder{RoleSupervisor, ScopeAny}},
}

// StageOf returns the stage whose due date is field.
func StageOf(field string) (Stage, bool) {
	for _, s := range Stages {
		if s.Field == field {
			return s, true
		}
	}
	return Stage{}, false
}

// StagesIn lists the stages whose clocks run while an application is in status.
func StagesIn(status string) []Stage {
	var out []Stage
	for _, s := range Stages {
		if s.Status == status {
			out = append(out, s)
		}
	}
	return out
}

// OpenDeadline returns the main deadline field of status (the one that
// ends with the status, not an acknowledgement), or "".
func OpenDeadline(status string) string {
	for _, s := range StagesIn(status) {
		if s.Stop == "" {
			return s.Field
		}
	}
	return ""
}

// Length is the stage's length in working days: its setting when set to
// a whole number from 1 to 60, else Days.
func (s Stage) Length() int {
	if s.Setting != "" {
		if d, err := strconv.Atoi(os.Getenv(s.Setting)); err == nil && d >= 1 && d <= 60 {
			return d
		}
	}
	return s.Days
}

// Running reports whether the stage's clock runs on an application in
// status whose fields get reads (its stop field unset).
func (s Stage) Running(status string, get func(field string) string) bool {
	return s.Status == status && (s.Stop == "" || get(s.Stop) == "")
}

// DeadlineLabels name each deadline for people.
var DeadlineLabels = func() map[string]string {
	out := map[string]string{}
	for _, s := range Stages {
		out[s.Field] = s.Label
	}
	return out
}()

// Deadline is one running deadline of an application.
type Deadline struct {
	Application string
	Field       string
	Due         time.Time // the last instant of the due day
}

// Flag is a supervision flag a deadline has earned.
type Flag struct {
	Application string
	Field       string
	Kind        string // "reminder" or "overdue"
	DueOn       string // YYYY-MM-DD of the due day, in Asia/Shanghai
}

// Flags returns the flags the deadlines have earned at now: a reminder from
// the working day before the due day, "overdue" once the due day has passed.
func Flags(now time.Time, cal *workdays.Calendar, deadlines []Deadline) []Flag {
	var out []Flag
	today := cal.AddWorkdays(now, 0)
	for _, d := range deadlines {
		if d.Due.IsZero() {
			continue
		}
		dueOn := workdays.FormatDate(d.Due)
		switch {
		case now.After(d.Due):
			out = append(out, Flag{d.Application, d.Field, "overdue", dueOn})
		case !cal.AddWorkdays(today, 1).Before(startOfDay(d.Due)):
			out = append(out, Flag{d.Application, d.Field, "reminder", dueOn})
		}
	}
	return out
}

func startOfDay(t time.Time) time.Time {
	d := t.In(workdays.Shanghai)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, workdays.Shanghai)
}
