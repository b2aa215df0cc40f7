package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/humas-id/humas/auth"
	"github.com/humas-id/humas/scheduler"
)

// Approve approves the version of a submitted post the approver reviewed.
func (a *SchedulerPosts) Approve(ctx context.Context, p auth.Principal, id, version int64, hash string) error {
	_, err := a.S.Approve(ctx, p, id, scheduler.Review{Version: int(version), Hash: hash})
	return a.conflict(ctx, err)
}

// Reject sends the reviewed version of a post back with a reason.
func (a *SchedulerPosts) Reject(ctx context.Context, p auth.Principal, id, version int64, hash, reason string) error {
	_, err := a.S.Reject(ctx, p, id, scheduler.Review{Version: int(version), Hash: hash, Reason: reason})
	return a.conflict(ctx, err)
}

// Classify sets or confirms the classification of the reviewed version
// (a PPID officer).
func (a *SchedulerPosts) Classify(ctx context.Context, p auth.Principal, id int64, in ClassifyInput) error {
	_, err := a.S.Classify(ctx, p, id, scheduler.ClassifyInput{Version: int(in.Version), Hash: in.ContentHash,
		Classification: scheduler.Classification{Level: in.Level, Category: in.Category, LegalBasis: in.LegalBasis, Reason: in.Reason}})
	return a.conflict(ctx, err)
}

// conflict is mapSchedulerErr, with a version conflict carrying the
// current post as the page shows it.
func (a *SchedulerPosts) conflict(ctx context.Context, err error) error {
	var ve *scheduler.VersionError
	if !errors.As(err, &ve) {
		return mapSchedulerErr(err)
	}
	n, nerr := a.names(ctx)
	if nerr != nil {
		return nerr
	}
	return &ConflictError{Message: ve.Error(), MessageID: ve.MessageID(), Current: n.view(ve.Current)}
}

// auditDetail reads the version and the changed fields an audit line
// records (the scheduler's detail JSON: version, changes{field: {before,
// after}}).
func auditDetail(detail string) (int64, []FieldChange) {
	if detail == "" {
		return 0, nil
	}
	var d struct {
		Version int64 `json:"version"`
		Changes map[string]struct {
			Before any `json:"before"`
			After  any `json:"after"`
		} `json:"changes"`
	}
	if json.Unmarshal([]byte(detail), &d) != nil {
		return 0, nil
	}
	var out []FieldChange
	for f, c := range d.Changes {
		out = append(out, FieldChange{Field: f, Before: auditText(c.Before), After: auditText(c.After)})
	}
	slices.SortFunc(out, func(x, y FieldChange) int { return strings.Compare(x.Field, y.Field) })
	return d.Version, out
}

// auditText shows a recorded value: text as it is, lists and numbers as
// JSON.
func auditText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case float64:
		return fmt.Sprint(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
