package collections

import (
	"github.com/pocketbase/pocketbase/core"
)

// ArchivePending is, on applications, talks and feedback, the archive
// file fields (archive_pdf, notice_pdf) whose copy a move has queued and
// the worker has not stored yet: the console shows 存档副本生成中 there. The
// move that queues the copy sets it, the worker's save that stores the
// file clears it (package forms); no client writes it (ServerFields).
const ArchivePending = "archive_pending"

// archivePending is the ArchivePending field of a collection with the
// archive file fields files.
func archivePending(files ...string) *core.SelectField {
	return &core.SelectField{Name: ArchivePending, Values: files, MaxSelect: len(files)}
}

// ArchiveJobs is the archive-copy queue (package forms): one row per
// archive copy a move asked for, written in the move's transaction with
// the form's data as of the move and its verification code reserved, and
// worked off by the forms worker. Only the server writes it; its nil API
// rules leave it to superusers (the dashboard shows what is pending,
// retried or failed). Like form_prints it is not among All: no client
// sees it.
const (
	ArchiveJobs   = "archive_jobs"
	ArchiveJobsID = "pbc_archive_jobs"

	JobApplication      = "application"       // the application the record belongs to
	JobRecordCollection = "record_collection" // applications, talks or feedback
	JobRecordID         = "record_id"
	JobForm             = "form"  // application, notice, talk, feedback
	JobField            = "field" // the record's file field the copy goes into
	JobCode             = "code"  // the verification code reserved at the move (form_prints.code)
	JobData             = "data"  // the form as mapped at the move (pdf.<Form>Data as JSON); cleared when done
	JobState            = "state"
	JobAttempts         = "attempts"
	JobNextAt           = "next_at"     // when a pending job is due
	JobClaim            = "claim"       // the token of the worker holding a claimed job
	JobLeaseUntil       = "lease_until" // when a claimed job counts as abandoned
	JobLastError        = "last_error"
	JobDoneAt           = "done_at"
)

// The states of an archive job.
const (
	JobPending = "pending" // waiting for next_at
	JobClaimed = "claimed" // a worker is rendering it
	JobDone    = "done"    // the copy is on the record
	JobFailed  = "failed"  // given up after the last attempt; a superuser may set it pending again
)

// NewArchiveJobs builds the archive_jobs collection.
func NewArchiveJobs() *core.Collection {
	c := core.NewBaseCollection(ArchiveJobs, ArchiveJobsID)
	c.Fields.Add(
		text(JobApplication, 50, true),
		text(JobRecordCollection, 50, true),
		text(JobRecordID, 50, true),
		selectOne(JobForm, []string{"application", "notice", "talk", "feedback"}, true),
		text(JobField, 50, true),
		&core.TextField{Name: JobCode, Min: 10, Max: 10, Required: true},
		&core.JSONField{Name: JobData, MaxSize: 1 << 20},
		selectOne(JobState, []string{JobPending, JobClaimed, JobDone, JobFailed}, true),
		&core.NumberField{Name: JobAttempts, OnlyInt: true},
		&core.DateField{Name: JobNextAt},
		text(JobClaim, 50, false),
		&core.DateField{Name: JobLeaseUntil},
		text(JobLastError, 1000, false),
		&core.DateField{Name: JobDoneAt},
	)
	timestamps(c)
	c.AddIndex("idx_archive_jobs_due", false, JobState+", "+JobNextAt, "")
	c.AddIndex("idx_archive_jobs_record", false, JobRecordCollection+", "+JobRecordID, "")
	// nil rules: superusers only through REST
	return c
}
