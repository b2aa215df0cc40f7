package scheduler

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"slices"
	"time"
)

// content is the canonical content of a post version: what an approver
// reviews and what approval binds to. Its JSON (fixed field order, sorted
// channel ids, UTC times) is what ContentHash hashes, and what the audit
// log records at creation.
type content struct {
	Unit    int64  `json:"unit_id"`
	Caption string `json:"caption"`
	// Captions is omitted when empty, so posts without per-network
	// captions keep the hash they had before the field existed.
	Captions             map[string]string `json:"captions,omitempty"`
	Link                 string            `json:"link"`
	Media                []Media           `json:"media"`
	ContentType          string            `json:"content_type"`
	Classification       Classification    `json:"classification"`
	ClassificationStatus string            `json:"classification_status"`
	ClassifiedBy         int64             `json:"classified_by"`
	Channels             []int64           `json:"channels"`
	ScheduledAt          string            `json:"scheduled_at"`
	Recurrence           string            `json:"recurrence"`
	RecurrenceCount      int               `json:"recurrence_count"`
	Campaign             string            `json:"campaign"`
	Tags                 []string          `json:"tags"`
}

// hashPrefix names the hash function, so a later change of function
// cannot match an old hash by accident.
const hashPrefix = "sha256:"

func (c content) hash() string {
	b, _ := json.Marshal(c) // a struct of plain fields always marshals
	sum := sha256.Sum256(b)
	return hashPrefix + hex.EncodeToString(sum[:])
}

// contentOf is the content of a stored post.
func contentOf(p Post) content {
	return content{Unit: p.UnitID, Caption: p.Caption, Captions: nonEmpty(p.Captions), Link: p.Link, Media: nonNil(p.Media), ContentType: p.ContentType,
		Classification: p.Classification, ClassificationStatus: p.ClassificationStatus, ClassifiedBy: p.ClassifiedBy,
		Channels: sortedIDs(p.ChannelIDs()), ScheduledAt: canonicalTime(p.ScheduledAt), Recurrence: p.Recurrence,
		RecurrenceCount: p.RecurrenceCount, Campaign: p.Campaign, Tags: nonNil(p.Tags)}
}

// draftContent is the content a (normalized) draft gives a post of unit,
// with the classification's status and who set it.
func draftContent(unit int64, d Draft, status string, by int64) content {
	return content{Unit: unit, Caption: d.Caption, Captions: nonEmpty(d.Captions), Link: d.Link, Media: nonNil(d.Media), ContentType: d.ContentType,
		Classification: d.Classification, ClassificationStatus: status, ClassifiedBy: by, Channels: sortedIDs(d.Channels),
		ScheduledAt: canonicalTime(d.ScheduledAt), Recurrence: d.Recurrence, RecurrenceCount: d.RecurrenceCount,
		Campaign: d.Campaign, Tags: nonNil(d.Tags)}
}

// ContentHash is the hash of the post's current content ("sha256:…"):
// approve and reject may name the version they reviewed by it.
func (p Post) ContentHash() string { return contentOf(p).hash() }

// change is one field's value before and after an edit.
type change struct {
	Before any `json:"before"`
	After  any `json:"after"`
}

// diffContent lists the fields that differ between a and b, by their API
// names (classification parts as classification.level and so on).
func diffContent(a, b content) map[string]change {
	out := map[string]change{}
	add := func(name string, x, y any) {
		if !reflect.DeepEqual(x, y) {
			out[name] = change{Before: x, After: y}
		}
	}
	add("caption", a.Caption, b.Caption)
	for _, pf := range []string{"facebook", "instagram"} {
		add("captions."+pf, a.Captions[pf], b.Captions[pf])
	}
	add("link", a.Link, b.Link)
	add("media", a.Media, b.Media)
	add("content_type", a.ContentType, b.ContentType)
	add("classification.level", a.Classification.Level, b.Classification.Level)
	add("classification.category", a.Classification.Category, b.Classification.Category)
	add("classification.legal_basis", a.Classification.LegalBasis, b.Classification.LegalBasis)
	add("classification.reason", a.Classification.Reason, b.Classification.Reason)
	add("classification.status", a.ClassificationStatus, b.ClassificationStatus)
	add("classification.classified_by", a.ClassifiedBy, b.ClassifiedBy)
	add("channels", a.Channels, b.Channels)
	add("scheduled_at", a.ScheduledAt, b.ScheduledAt)
	add("recurrence", a.Recurrence, b.Recurrence)
	add("recurrence_count", a.RecurrenceCount, b.RecurrenceCount)
	add("campaign", a.Campaign, b.Campaign)
	add("tags", a.Tags, b.Tags)
	return out
}

// nonEmpty drops empty per-network captions (nil when none is left).
func nonEmpty(m map[string]string) map[string]string {
	var out map[string]string
	for k, v := range m {
		if v != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = v
		}
	}
	return out
}

func canonicalTime(t time.Time) string {
	return t.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z")
}

func sortedIDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	if out == nil {
		out = []int64{}
	}
	slices.Sort(out)
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// withAuthor adds id to an author set (once).
func withAuthor(authors []int64, id int64) []int64 {
	if id == 0 || slices.Contains(authors, id) {
		return authors
	}
	return append(slices.Clone(authors), id)
}
