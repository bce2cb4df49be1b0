package privacy

import (
	"net/http"
	"slices"
	"strings"
	gosync "sync"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"yuetan/collections"
	"yuetan/listrule"
)

// Collections lists the collections holding personal fields.
func Collections() []string {
	var out []string
	for _, p := range collections.PersonalFields {
		if !slices.Contains(out, p.Collection) {
			out = append(out, p.Collection)
		}
	}
	return out
}

// checkedKey marks a list request whose filter and sort were checked.
const checkedKey = "yuetan.privacy.checked"

// GuardList is a router middleware: it checks a records list request's
// filter and sort before PocketBase builds and runs the query.
func GuardList(e *core.RequestEvent) error {
	coll := listrule.Listed(e)
	if coll == nil {
		return e.Next()
	}
	if err := checkList(e, coll); err != nil {
		return err
	}
	e.Set(checkedKey, true)
	return e.Next()
}

// GuardListed is an OnRecordsListRequest hook: it checks a list the
// middleware did not see (its answer is refused, though its query ran).
func GuardListed(e *core.RecordsListRequestEvent) error {
	if e.Get(checkedKey) != true {
		if err := checkList(e.RequestEvent, e.Collection); err != nil {
			return err
		}
	}
	return e.Next()
}

func checkList(e *core.RequestEvent, coll *core.Collection) error {
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	q := e.Request.URL.Query()
	return Check(e.App, Query{
		Collection: coll, Rule: coll.ListRule, Info: info,
		Filters: q[search.FilterQueryParam], Sorts: q[search.SortQueryParam],
	})
}

// GuardSubscriptions is an OnRealtimeSubscribeRequest hook: it refuses the
// request when a subscription's options carry a filter or sort the caller
// may not use on its collection.
func GuardSubscriptions(e *core.RealtimeSubscribeRequestEvent) error {
	for _, sub := range e.Subscriptions {
		if err := checkSubscription(e.App, e.Auth, sub); err != nil {
			return err
		}
	}
	return e.Next()
}

// GuardMessages is an OnRealtimeMessageSend hook: it drops a record message
// of a subscription whose filter or sort the client's present auth may not
// use (the auth of a live connection follows changes to the user's role).
func GuardMessages(e *core.RealtimeMessageEvent) error {
	if e.Message != nil && strings.Contains(e.Message.Name, "?") {
		if opts, ok := e.Client.Subscriptions()[e.Message.Name]; ok &&
			(opts.Query[search.FilterQueryParam] != "" || opts.Query[search.SortQueryParam] != "") {
			auth, _ := e.Client.Get(apis.RealtimeClientAuthKey).(*core.Record)
			if checkSubscription(e.App, auth, e.Message.Name) != nil {
				return nil
			}
		}
	}
	return e.Next()
}

// checkSubscription checks one subscription ("issues/*?options={…}") the
// way PocketBase will apply it: the list rule for a collection topic, the
// view rule for a record topic, then the options' filter.
func checkSubscription(app core.App, auth *core.Record, sub string) error {
	topic, _, _ := strings.Cut(sub, "?")
	name, record, _ := strings.Cut(topic, "/")
	coll, err := app.FindCachedCollectionByNameOrId(name)
	if err != nil {
		return nil // not a collection topic: no record is filtered by it
	}
	rule := coll.ListRule
	if record != "" && record != "*" {
		rule = coll.ViewRule
	}
	// the options exactly as PocketBase's client reads them
	c := subscriptions.NewDefaultClient()
	c.Subscribe(sub)
	opts := c.Subscriptions()[sub]
	info := &core.RequestInfo{
		Context: core.RequestInfoContextRealtime, Method: http.MethodGet,
		Query: opts.Query, Headers: opts.Headers, Auth: auth,
	}
	return Check(app, Query{
		Collection: coll, Rule: rule, Info: info,
		Filters: []string{opts.Query[search.FilterQueryParam]}, Sorts: []string{opts.Query[search.SortQueryParam]},
	})
}

// HideUnseen is an OnRecordEnrich hook for the collections holding
// personal fields: it hides each field the caller does not see on the
// record. It runs on every record PocketBase hands out — list, view,
// create and update answers, expanded relations, realtime messages — and
// on the records of a sync pull.
//
// Whether a record is within the caller's list rule is one query for all
// the records of one enrich call (the event is shared by them).
func HideUnseen(e *core.RecordEnrichEvent) error {
	auth := e.RequestInfo.Auth
	coll := e.Record.Collection()
	var listed []string
	for _, p := range collections.PersonalFields {
		if p.Collection != coll.Name {
			continue
		}
		for _, f := range p.Fields {
			switch collections.SightOf(auth, coll.Name, f) {
			case collections.SeesNone:
				e.Record.Hide(f)
			case collections.SeesOwn:
				if auth == nil || auth.Collection().Id != coll.Id || auth.Id != e.Record.Id {
					e.Record.Hide(f)
				}
			case collections.SeesListed:
				listed = append(listed, f)
			}
		}
	}
	if len(listed) == 0 {
		return e.Next()
	}
	b := &batch{}
	if prev, loaded := batches.LoadOrStore(e, b); loaded {
		prev.(*batch).add(e.Record)
		return e.Next()
	}
	defer batches.Delete(e)
	b.add(e.Record)
	if err := e.Next(); err != nil {
		return err
	}
	seen, err := withinRule(e.App, coll, coll.ListRule, e.RequestInfo, b.ids())
	if err != nil {
		return err
	}
	for _, r := range b.records {
		if !seen[r.Id] {
			r.Hide(listed...)
		}
	}
	return nil
}

// batches holds the records of the enrich calls under way, by event.
var batches gosync.Map // *core.RecordEnrichEvent → *batch

type batch struct {
	mu      gosync.Mutex
	records []*core.Record
}

func (b *batch) add(r *core.Record) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.records = append(b.records, r)
}

func (b *batch) ids() []any {
	b.mu.Lock()
	defer b.mu.Unlock()
	ids := make([]any, len(b.records))
	for i, r := range b.records {
		ids[i] = r.Id
	}
	return ids
}

// withinRule returns which of ids rule gives the caller of info.
func withinRule(app core.App, coll *core.Collection, rule *string, info *core.RequestInfo, ids []any) (map[string]bool, error) {
	seen := map[string]bool{}
	if rule == nil || len(ids) == 0 {
		return seen, nil
	}
	q := app.RecordQuery(coll).Select(coll.Name + ".id").AndWhere(dbx.In(coll.Name+".id", ids...))
	if *rule != "" {
		resolver := core.NewRecordFieldResolver(app, coll, info, true)
		expr, err := search.FilterData(*rule).BuildExpr(resolver)
		if err != nil {
			return nil, err
		}
		q.AndWhere(expr)
		if err := resolver.UpdateQuery(q); err != nil {
			return nil, err
		}
	}
	var found []string
	if err := q.Column(&found); err != nil {
		return nil, err
	}
	for _, id := range found {
		seen[id] = true
	}
	return seen, nil
}
