package report

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/humas-id/humas/analytics"
)

// Letterheads gives an office's letterhead (org.Store implements it over
// the unit settings its admin keeps).
type Letterheads interface {
	Letterhead(ctx context.Context, unitID int64) (Letterhead, error)
}

// Builder assembles Documents from the analytics service.
type Builder struct {
	A           *analytics.Service
	Letterheads Letterheads // optional: without it the letterhead has the unit's name only
	// TopN posts in the top and bottom lists (default 5); Hashtags in
	// their table (default 15); BestTimeWeeks of the best-time grid
	// (default 12); MinPosts each side of a comparison needs (default 5).
	TopN, Hashtags, BestTimeWeeks, MinPosts int
	Now                                     func() time.Time
	// Service gives the comment-response and information-request
	// figures (optional: without it those sections are left out).
	Service ServiceFigures
	// Agenda gives the events the timeliness section measures posts
	// against (optional).
	Agenda AgendaFigures
}

// Request is what to build: a unit (0: every unit, for an admin) over a
// period, in a language.
type Request struct {
	UnitID int64
	Period Period
	Lang   string
	// LetterheadUnit heads a report of every unit (UnitID 0) with this
	// unit's letterhead (the admin's own office).
	LetterheadUnit int64
}

func (b *Builder) defaults() {
	if b.TopN <= 0 {
		b.TopN = 5
	}
	if b.Hashtags <= 0 {
		b.Hashtags = 15
	}
	if b.BestTimeWeeks <= 0 {
		b.BestTimeWeeks = 12
	}
	if b.MinPosts <= 0 {
		b.MinPosts = 5
	}
	if b.Now == nil {
		b.Now = time.Now
	}
}

// parts are the answers a document is made of.
type parts struct {
	typ, typPrev, plat, platPrev, camp, campPrev *analytics.EngagementReport
	tags                                         *analytics.HashtagsReport
	fol, folPrev                                 *analytics.FollowersReport
	roll, rollPrev                               *analytics.RollUpReport
	top, bottom                                  *analytics.PostsReport
	best                                         *analytics.BestTimesReport
	cur, prev                                    []analytics.Point
	cov                                          *analytics.CoverageReport
	tree                                         map[uint64]analytics.UnitNode
}

// Build reads the figures and assembles the document.
func (b *Builder) Build(ctx context.Context, r Request) (*Document, error) {
	if b.A == nil {
		return nil, errors.New("report: no analytics service")
	}
	b.defaults()
	lang := Lang(r.Lang)
	p := r.Period
	pt, err := b.read(ctx, r)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(pt.typ.Timezone)
	if err != nil {
		loc = time.UTC
	}
	now := b.Now()
	d := &Document{Lang: lang, Loc: loc, Period: p, Title: T(lang, "title"), Generated: now,
		PeriodLabel: p.Label(lang), RangeLabel: Dates(lang, p.From, p.To),
		CompareLabel:   T(lang, "compare", p.PrevLabel(lang), Dates(lang, p.PrevFrom, p.PrevTo)),
		GeneratedLabel: T(lang, "generated", DateTime(lang, now, loc)),
		Empty:          pt.typ.Totals.Posts == 0}
	lhUnit := r.UnitID
	if lhUnit == 0 {
		lhUnit = r.LetterheadUnit
	}
	d.Letterhead, err = b.letterhead(ctx, lhUnit, pt.tree)
	if err != nil {
		return nil, err
	}
	switch {
	case r.UnitID == 0:
		d.Scope = T(lang, "scope.all")
	case hasChildren(pt.tree, uint64(r.UnitID)):
		d.Scope = T(lang, "scope.sub", d.Letterhead.UnitName)
	default:
		d.Scope = T(lang, "scope.one", d.Letterhead.UnitName)
	}
	cov := coverageOf(lang, loc, p, pt.cov)
	d.Notices = cov.notices
	d.Cards = b.cards(lang, pt, cov)
	fs := analytics.Findings(analytics.FindingInput{Points: append(slices.Clone(pt.cur), pt.prev...), Units: pt.tree,
		Root: uint64(r.UnitID), Words: p.Words(), Zone: Zone(now.In(loc)), Coverage: cov.finding, Seed: seed(r),
		MinPosts: b.MinPosts})
	for _, f := range fs {
		t := f.ID
		if lang == EN {
			t = f.EN
		}
		d.Findings = append(d.Findings, FindingText{Kind: f.Kind, Text: t, Posts: f.Posts, Meaningful: f.Meaningful, Direction: f.Direction})
	}
	typeRows := b.groupRows(lang, pt.typ, pt.typPrev, func(r analytics.EngagementRow) string { return deref(r.ContentType) },
		orderedTypes, func(k string) string { return typeLabel(lang, k) },
		func(p analytics.Point) string { return p.ContentType }, pt)
	platRows := b.groupRows(lang, pt.plat, pt.platPrev, func(r analytics.EngagementRow) string { return deref(r.Platform) },
		[]string{"facebook", "instagram"}, func(k string) string { return platformLabel(lang, k) },
		func(p analytics.Point) string { return p.Platform }, pt)
	campRows := b.groupRows(lang, pt.camp, pt.campPrev, func(r analytics.EngagementRow) string { return deref(r.Campaign) },
		nil, func(k string) string {
			if k == "" {
				return T(lang, "campaign.none")
			}
			return k
		}, func(p analytics.Point) string { return p.Campaign }, pt)
	d.Charts = []Chart{
		chartOf("chart-type", T(lang, "chart.type"), lang, typeRows),
		chartOf("chart-platform", T(lang, "chart.platform"), lang, platRows),
	}
	changeNote := T(lang, "change.note", b.MinPosts)
	d.Sections = append(d.Sections,
		groupSection(lang, "type", T(lang, "sec.type"), T(lang, "sheet.type"), T(lang, "col.type"), changeNote, typeRows),
		groupSection(lang, "platform", T(lang, "sec.platform"), T(lang, "sheet.platform"), T(lang, "col.platform"), changeNote, platRows),
		groupSection(lang, "campaign", T(lang, "sec.campaign"), T(lang, "sheet.campaign"), T(lang, "col.campaign"), changeNote, campRows),
		b.hashtagSection(lang, pt.tags),
		followerSection(lang, pt.fol, pt.folPrev),
		b.rollupSection(lang, pt, changeNote),
		postSection(lang, loc, "top", pt.top),
		postSection(lang, loc, "bottom", pt.bottom),
		b.bestTimeSection(lang, loc, pt.best, d),
	)
	svc, err := b.serviceSections(ctx, lang, loc, r.UnitID, p)
	if err != nil {
		return nil, err
	}
	d.Sections = append(d.Sections, svc...)
	tl, err := b.timelinessSections(ctx, lang, loc, r.UnitID, p, pt.cur)
	if err != nil {
		return nil, err
	}
	d.Sections = append(d.Sections, tl...)
	def := pt.typ.Definition.ID
	if lang == EN {
		def = pt.typ.Definition.EN
	}
	d.Definition = def + " " + T(lang, "findings.help")
	return d, nil
}

// read runs every query the document needs.
func (b *Builder) read(ctx context.Context, r Request) (parts, error) {
	var pt parts
	p := r.Period
	base := analytics.Query{Method: "reach", Age: "latest", Sort: "engagement_rate", Order: "desc", Limit: 1000}
	if r.UnitID > 0 {
		base.Unit = uint64(r.UnitID)
	}
	cur, prev := base, base
	cur.From, cur.To = p.From, p.To
	prev.From, prev.To = p.PrevFrom, p.PrevTo
	grouped := func(q analytics.Query, key string) (*analytics.EngagementReport, error) {
		q.GroupBy = []string{key}
		return b.A.Engagement(ctx, q)
	}
	var err error
	steps := []func() error{
		func() error { pt.typ, err = grouped(cur, "content_type"); return err },
		func() error { pt.typPrev, err = grouped(prev, "content_type"); return err },
		func() error { pt.plat, err = grouped(cur, "platform"); return err },
		func() error { pt.platPrev, err = grouped(prev, "platform"); return err },
		func() error { pt.camp, err = grouped(cur, "campaign"); return err },
		func() error { pt.campPrev, err = grouped(prev, "campaign"); return err },
		func() error {
			q := cur
			q.Limit = b.Hashtags
			pt.tags, err = b.A.Hashtags(ctx, q)
			return err
		},
		func() error { pt.fol, err = b.A.Followers(ctx, cur); return err },
		func() error { pt.folPrev, err = b.A.Followers(ctx, prev); return err },
		func() error { pt.roll, err = b.A.RollUp(ctx, cur); return err },
		func() error { pt.rollPrev, err = b.A.RollUp(ctx, prev); return err },
		func() error {
			q := cur
			q.Limit = b.TopN
			pt.top, err = b.A.TopPosts(ctx, q)
			return err
		},
		func() error {
			q := cur
			q.Limit, q.Order = b.TopN, "asc"
			pt.bottom, err = b.A.TopPosts(ctx, q)
			return err
		},
		func() error {
			q := base
			q.To, q.From = p.To, p.To.AddDate(0, 0, 1-7*b.BestTimeWeeks)
			pt.best, err = b.A.BestTimes(ctx, q)
			return err
		},
		func() error {
			rep, err := b.A.Points(ctx, cur)
			if err != nil {
				return err
			}
			pt.cur = currentOnly(rep.Points, true)
			return nil
		},
		func() error {
			rep, err := b.A.Points(ctx, prev)
			if err != nil {
				return err
			}
			pt.prev = currentOnly(rep.Points, false)
			return nil
		},
		func() error { pt.cov, err = b.A.Coverage(ctx, cur); return err },
		func() error { pt.tree, err = b.A.UnitTree(ctx); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return pt, fmt.Errorf("report: %w", err)
		}
	}
	return pt, nil
}

// currentOnly keeps the points of the period asked for (the Points
// answer also carries the period before it) and marks them.
func currentOnly(pts []analytics.Point, current bool) []analytics.Point {
	var out []analytics.Point
	for _, p := range pts {
		if p.Current {
			p.Current = current
			out = append(out, p)
		}
	}
	return out
}

func seed(r Request) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d|%s|%s", r.UnitID, r.Period.From.Format("2006-01-02"), r.Period.To.Format("2006-01-02"))
	return h.Sum64()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func hasChildren(tree map[uint64]analytics.UnitNode, id uint64) bool {
	for _, u := range tree {
		if u.Parent == id && u.ID != id {
			return true
		}
	}
	return false
}

// letterhead is the admin's letterhead of the unit, or its name alone.
func (b *Builder) letterhead(ctx context.Context, unit int64, tree map[uint64]analytics.UnitNode) (Letterhead, error) {
	lh := Letterhead{UnitID: unit}
	if b.Letterheads != nil && unit > 0 {
		var err error
		if lh, err = b.Letterheads.Letterhead(ctx, unit); err != nil {
			return lh, fmt.Errorf("report: letterhead of unit %d: %w", unit, err)
		}
	}
	if n, ok := tree[uint64(unit)]; ok {
		if lh.UnitName == "" {
			lh.UnitName = n.Name
		}
		if p, ok := tree[n.Parent]; ok && lh.Parent == "" && n.Parent != n.ID {
			lh.Parent = p.Name
		}
	}
	if lh.UnitName == "" {
		lh.UnitName = "humas"
	}
	return lh, nil
}

// coverage is what the data leave out, as notices and as the findings'
// input.
type coverage struct {
	notices          []string
	finding          analytics.FindingCoverage
	currentPartial   bool
	previousPartial  bool
	followersPartial bool
	followersFrom    time.Time
}

func coverageOf(lang string, loc *time.Location, p Period, rep *analytics.CoverageReport) coverage {
	var c coverage
	partial, none, prevPart, folPart, folNone := map[time.Time][]string{}, map[time.Time][]string{}, []string{},
		map[time.Time][]string{}, map[time.Time][]string{}
	var latest time.Time
	for _, ch := range rep.Channels {
		name := ch.ChannelName
		if name == "" {
			name = fmt.Sprintf("#%d", ch.Channel)
		}
		name += " (" + platformLabel(lang, ch.Platform) + ")"
		if ch.FirstPost != nil {
			first := localDay(*ch.FirstPost, loc)
			switch {
			case first.After(p.To):
				none[first] = append(none[first], name)
			case first.After(p.From):
				partial[first] = append(partial[first], name)
				if first.After(latest) {
					latest = first
				}
			}
			if first.After(p.PrevFrom) && !first.After(p.To) {
				prevPart = append(prevPart, name)
			}
		}
		if ch.FirstFollower != nil {
			first := *ch.FirstFollower
			switch {
			case first.After(p.To):
				folNone[first] = append(folNone[first], name)
			case first.After(p.From):
				folPart[first] = append(folPart[first], name)
			}
			if first.After(p.From) && first.After(c.followersFrom) {
				c.followersFrom = first
			}
		}
	}
	say := func(m map[time.Time][]string, key string) {
		dates := make([]time.Time, 0, len(m))
		for d := range m {
			dates = append(dates, d)
		}
		sort.Slice(dates, func(i, j int) bool { return dates[i].Before(dates[j]) })
		for _, d := range dates {
			c.notices = append(c.notices, T(lang, key, strings.Join(m[d], ", "), Date(lang, d, time.UTC)))
		}
	}
	say(partial, "cov.posts")
	say(none, "cov.none")
	if len(prevPart) > 0 {
		c.previousPartial = true
		c.notices = append(c.notices, T(lang, "cov.prev", p.PrevLabel(lang), strings.Join(prevPart, ", ")))
	}
	say(folPart, "cov.followers")
	say(folNone, "cov.nofollow")
	c.followersPartial = len(folPart) > 0 || len(folNone) > 0
	if !latest.IsZero() {
		c.currentPartial = true
		var names []string
		for _, n := range partial {
			names = append(names, n...)
		}
		sort.Strings(names)
		c.finding.CurrentFrom = &latest
		c.finding.CurrentNoteID = strings.Join(names, ", ")
		c.finding.CurrentNote = c.finding.CurrentNoteID
	}
	c.finding.PreviousPartial = c.previousPartial
	return c
}

func localDay(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// cards are the summary figures against the period before; a change is
// toned only when it is meaningful.
func (b *Builder) cards(lang string, pt parts, cov coverage) []Card {
	cur, prev := pt.typ.Totals, pt.typPrev.Totals
	partial := cov.currentPartial || cov.previousPartial
	key := func(k string) string { return "card\x1f" + k }
	total := func(k, label string, now, before float64, iv func() analytics.Interval) Card {
		c := Card{Key: k, Label: label, Value: Int(lang, int64(now)), Num: now, PrevNum: before, Format: "int",
			Prev: T(lang, "card.prev", Int(lang, int64(before)))}
		if before > 0 {
			c.Change = Rel(lang, (now-before)/before)
		}
		switch {
		case len(pt.prev) == 0 && before == 0:
			c.Verdict = T(lang, "card.nodata")
			c.Prev = T(lang, "card.prev", "–")
		case partial:
			c.Verdict = T(lang, "card.partial")
		default:
			var sign int
			if k == "posts" {
				if analytics.CountsDiffer(int(now), int(before)) {
					sign = 1
					if now < before {
						sign = -1
					}
				}
			} else {
				sign = iv().Sign()
			}
			c.Tone, c.Verdict = tone(sign), verdict(lang, sign)
		}
		return c
	}
	cards := []Card{
		total("posts", T(lang, "card.posts"), float64(cur.Posts), float64(prev.Posts), nil),
		total("reach", T(lang, "card.reach"), float64(cur.Reach), float64(prev.Reach), func() analytics.Interval {
			return analytics.CompareTotals(pt.cur, pt.prev, func(p analytics.Point) float64 { return float64(p.Reach) }, 1, key("reach"), 0)
		}),
		total("interactions", T(lang, "card.interactions"), float64(cur.Interactions), float64(prev.Interactions), func() analytics.Interval {
			return analytics.CompareTotals(pt.cur, pt.prev, func(p analytics.Point) float64 { return float64(p.Interactions) }, 1, key("inter"), 0)
		}),
	}
	er := Card{Key: "er", Label: T(lang, "card.er"), Note: T(lang, "card.er.note"), Format: "pct",
		Num: ratio(cur.EngagementRate), PrevNum: ratio(prev.EngagementRate)}
	er.Value = Pct(lang, er.Num, 2)
	er.Prev = T(lang, "card.prev", Pct(lang, er.PrevNum, 2))
	if !math.IsNaN(er.Num) && !math.IsNaN(er.PrevNum) {
		er.Change = PP(lang, er.Num-er.PrevNum)
		sign := analytics.CompareRates(pt.cur, pt.prev, 1, key("er"), 0).Sign()
		if len(rated(pt.cur)) < b.MinPosts || len(rated(pt.prev)) < b.MinPosts {
			sign = 0
		}
		er.Tone, er.Verdict = tone(sign), verdict(lang, sign)
	} else {
		er.Verdict = T(lang, "card.nodata")
	}
	cards = append(cards, er)
	fol := Card{Key: "followers", Label: T(lang, "card.followers"), Format: "int", Num: math.NaN(), PrevNum: math.NaN()}
	if g, ok := growth(pt.fol); ok {
		fol.Num, fol.Value = float64(g), Signed(lang, g)
	} else {
		fol.Value = "–"
	}
	if g, ok := growth(pt.folPrev); ok {
		fol.PrevNum = float64(g)
		fol.Prev = T(lang, "card.prev", Signed(lang, g))
	} else {
		fol.Prev = T(lang, "card.prev", "–")
	}
	switch {
	case math.IsNaN(fol.Num):
		fol.Verdict = T(lang, "card.nodata")
	case cov.followersPartial:
		fol.Verdict = T(lang, "card.partial")
	default:
		fol.Verdict = T(lang, "card.untested")
	}
	return append(cards, fol)
}

func rated(pts []analytics.Point) []analytics.Point {
	var out []analytics.Point
	for _, p := range pts {
		if p.Denominator > 0 {
			out = append(out, p)
		}
	}
	return out
}

func tone(sign int) string {
	switch sign {
	case 1:
		return "up"
	case -1:
		return "down"
	}
	return ""
}

func verdict(lang string, sign int) string {
	if sign == 0 {
		return T(lang, "card.noise")
	}
	return T(lang, "card.meaningful")
}

// growth sums the channels' follower growth over the period (false when
// no channel has a growth figure).
func growth(rep *analytics.FollowersReport) (int64, bool) {
	var g int64
	ok := false
	for _, c := range rep.Channels {
		if c.Growth != nil {
			g += *c.Growth
			ok = true
		}
	}
	return g, ok
}

func ratio(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

var orderedTypes = []string{"photo", "video", "interactive", "text", "link"}

// groupRow is one group now and before, with its change's tone.
type groupRow struct {
	key, label string
	cur, prev  analytics.Figures
	has        [2]bool
	tone       string
}

// groupRows pairs the groups of the period and the one before, in order
// (others after, biggest first), and tones each ER change by comparing
// the group's posts of both periods.
func (b *Builder) groupRows(lang string, cur, prev *analytics.EngagementReport, key func(analytics.EngagementRow) string,
	order []string, label func(string) string, ptKey func(analytics.Point) string, pt parts) []groupRow {
	by := map[string]*groupRow{}
	var keys []string
	get := func(k string) *groupRow {
		r, ok := by[k]
		if !ok {
			r = &groupRow{key: k, label: label(k)}
			by[k] = r
			keys = append(keys, k)
		}
		return r
	}
	for _, r := range cur.Rows {
		g := get(key(r))
		g.cur, g.has[0] = r.Figures, true
	}
	for _, r := range prev.Rows {
		g := get(key(r))
		g.prev, g.has[1] = r.Figures, true
	}
	rank := func(k string) int {
		if i := slices.Index(order, k); i >= 0 {
			return i
		}
		return len(order)
	}
	sort.SliceStable(keys, func(i, j int) bool {
		ri, rj := rank(keys[i]), rank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return by[keys[i]].cur.Posts > by[keys[j]].cur.Posts
	})
	var out []groupRow
	for _, k := range keys {
		g := by[k]
		var a, c []analytics.Point
		for _, p := range pt.cur {
			if ptKey(p) == k {
				a = append(a, p)
			}
		}
		for _, p := range pt.prev {
			if ptKey(p) == k {
				c = append(c, p)
			}
		}
		if len(rated(a)) >= b.MinPosts && len(rated(c)) >= b.MinPosts {
			g.tone = tone(analytics.CompareRates(a, c, 1, "row\x1f"+k, 0).Sign())
		}
		out = append(out, *g)
	}
	return out
}

func chartOf(id, title, lang string, rows []groupRow) Chart {
	ch := Chart{ID: id, Title: title}
	cur := Series{Name: T(lang, "chart.cur"), Class: "cur"}
	prev := Series{Name: T(lang, "chart.prev"), Class: "prev"}
	var parts []string
	for _, r := range rows {
		c, p := ratio(r.cur.EngagementRate), ratio(r.prev.EngagementRate)
		if !r.has[0] && !r.has[1] {
			continue
		}
		ch.Categories = append(ch.Categories, r.label)
		cur.Values = append(cur.Values, c)
		prev.Values = append(prev.Values, p)
		parts = append(parts, fmt.Sprintf("%s: %s (%s %s)", r.label, Pct(lang, c, 2), strings.ToLower(T(lang, "chart.prev")), Pct(lang, p, 2)))
	}
	ch.Series = []Series{cur, prev}
	ch.Desc = T(lang, "chart.desc", strings.Join(parts, "; "))
	return ch
}

// Cell constructors.

func textCell(s string) Cell { return Cell{Text: s, Num: NoNum} }

func intCell(lang string, n uint64) Cell { return Cell{Text: Int(lang, int64(n)), Num: float64(n)} }

func pctCell(lang string, p *float64) Cell {
	v := ratio(p)
	return Cell{Text: Pct(lang, v, 2), Num: v}
}

func changeCell(lang string, cur, prev *float64, tone string) Cell {
	c, p := ratio(cur), ratio(prev)
	if math.IsNaN(c) || math.IsNaN(p) {
		return Cell{Text: "–", Num: NoNum}
	}
	return Cell{Text: PP(lang, c-p), Num: (c - p) * 100, Tone: tone}
}

func figureColumns(lang, first string, withPrev bool) []Column {
	cols := []Column{{Head: first, Kind: Text, Width: 3}, {Head: T(lang, "col.posts"), Kind: Integer, Width: 1.2},
		{Head: T(lang, "col.reach"), Kind: Integer, Width: 1.6}, {Head: T(lang, "col.interactions"), Kind: Integer, Width: 1.5},
		{Head: T(lang, "col.er"), Kind: Percent, Width: 1.5}}
	if withPrev {
		cols = append(cols, Column{Head: T(lang, "col.erprev"), Kind: Percent, Width: 1.5},
			Column{Head: T(lang, "col.change"), Kind: Points, Width: 1.5})
	}
	return cols
}

func groupSection(lang, id, title, sheet, head, note string, rows []groupRow) Section {
	s := Section{ID: id, Title: title, Sheet: sheet, Note: note, Columns: figureColumns(lang, head, true), Empty: T(lang, "nodata")}
	for _, r := range rows {
		s.Rows = append(s.Rows, []Cell{textCell(r.label), intCell(lang, r.cur.Posts), intCell(lang, r.cur.Reach),
			intCell(lang, r.cur.Interactions), pctCell(lang, r.cur.EngagementRate), pctCell(lang, r.prev.EngagementRate),
			changeCell(lang, r.cur.EngagementRate, r.prev.EngagementRate, r.tone)})
	}
	return s
}

func (b *Builder) hashtagSection(lang string, rep *analytics.HashtagsReport) Section {
	s := Section{ID: "hashtag", Title: T(lang, "sec.hashtag"), Sheet: T(lang, "sheet.hashtag"), Note: T(lang, "hashtag.note", b.Hashtags),
		Columns: figureColumns(lang, T(lang, "col.hashtag"), false), Empty: T(lang, "nodata")}
	for _, r := range rep.Rows {
		s.Rows = append(s.Rows, []Cell{textCell(r.Hashtag), intCell(lang, r.Posts), intCell(lang, r.Reach),
			intCell(lang, r.Interactions), pctCell(lang, r.EngagementRate)})
	}
	return s
}

func followerSection(lang string, cur, prev *analytics.FollowersReport) Section {
	s := Section{ID: "followers", Title: T(lang, "sec.followers"), Sheet: T(lang, "sheet.followers"), Empty: T(lang, "followers.none"),
		Columns: []Column{{Head: T(lang, "col.channel"), Kind: Text, Width: 3}, {Head: T(lang, "col.platform"), Kind: Text, Width: 1.4},
			{Head: T(lang, "col.start"), Kind: Integer, Width: 1.5}, {Head: T(lang, "col.end"), Kind: Integer, Width: 1.5},
			{Head: T(lang, "col.growth"), Kind: Integer, Width: 1.4}, {Head: T(lang, "col.growthpct"), Kind: Percent, Width: 1.4},
			{Head: T(lang, "col.growthprev"), Kind: Integer, Width: 1.6}}}
	before := map[uint64]*int64{}
	for _, c := range prev.Channels {
		before[c.Channel] = c.Growth
	}
	opt := func(v *uint64) Cell {
		if v == nil {
			return Cell{Text: "–", Num: NoNum}
		}
		return intCell(lang, *v)
	}
	signed := func(v *int64) Cell {
		if v == nil {
			return Cell{Text: "–", Num: NoNum}
		}
		return Cell{Text: Signed(lang, *v), Num: float64(*v)}
	}
	for _, c := range cur.Channels {
		if c.End == nil {
			continue // no count in the period
		}
		s.Rows = append(s.Rows, []Cell{textCell(c.ChannelName), textCell(platformLabel(lang, c.Platform)), opt(c.Start), opt(c.End),
			signed(c.Growth), pctCell(lang, c.GrowthRate), signed(before[c.Channel])})
	}
	return s
}

func (b *Builder) rollupSection(lang string, pt parts, note string) Section {
	s := Section{ID: "rollup", Title: T(lang, "sec.rollup"), Sheet: T(lang, "sheet.rollup"), Note: T(lang, "rollup.note") + " " + note,
		Columns: figureColumns(lang, T(lang, "col.unit"), true), Empty: T(lang, "nodata")}
	prev := map[uint64]analytics.Figures{}
	for _, r := range pt.rollPrev.Rows {
		prev[r.Unit] = r.Figures
	}
	under := func(pts []analytics.Point, u uint64) []analytics.Point {
		var out []analytics.Point
		for _, p := range pts {
			if p.Unit == u || slices.Contains(pt.tree[p.Unit].Ancestors, u) {
				out = append(out, p)
			}
		}
		return out
	}
	for _, r := range pt.roll.Rows {
		pr := prev[r.Unit]
		t := ""
		if a, c := under(pt.cur, r.Unit), under(pt.prev, r.Unit); len(rated(a)) >= b.MinPosts && len(rated(c)) >= b.MinPosts {
			t = tone(analytics.CompareRates(a, c, 1, fmt.Sprintf("unit\x1f%d", r.Unit), 0).Sign())
		}
		name := textCell(r.UnitName)
		name.Indent = r.Depth
		s.Rows = append(s.Rows, []Cell{name, intCell(lang, r.Posts), intCell(lang, r.Reach), intCell(lang, r.Interactions),
			pctCell(lang, r.EngagementRate), pctCell(lang, pr.EngagementRate), changeCell(lang, r.EngagementRate, pr.EngagementRate, t)})
	}
	return s
}

func postSection(lang string, loc *time.Location, which string, rep *analytics.PostsReport) Section {
	s := Section{ID: which, Title: T(lang, "sec."+which), Sheet: T(lang, "sheet."+which), Empty: T(lang, "nodata"),
		Columns: []Column{{Head: T(lang, "col.thumb"), Kind: Thumb, ScreenOnly: true},
			{Head: T(lang, "col.published", Zone(time.Now().In(loc))), Kind: Stamp, Width: 2},
			{Head: T(lang, "col.platform"), Kind: Text, Width: 1.4}, {Head: T(lang, "col.type"), Kind: Text, Width: 1.3},
			{Head: T(lang, "col.channel"), Kind: Text, Width: 2.4}, {Head: T(lang, "col.caption"), Kind: Text, Width: 3.6},
			{Head: T(lang, "col.reach"), Kind: Integer, Width: 1.6}, {Head: T(lang, "col.interactions"), Kind: Integer, Width: 1.5},
			{Head: T(lang, "col.er"), Kind: Percent, Width: 1.6}, {Head: T(lang, "col.link"), Kind: Text, DataOnly: true}}}
	for _, p := range rep.Posts {
		caption := Short(p.Caption, 90)
		if caption == "" {
			caption = "–"
		}
		capCell := textCell(caption)
		capCell.Link = p.Permalink
		s.Rows = append(s.Rows, []Cell{{Image: p.Thumbnail, Text: typeLabel(lang, p.ContentType), Num: NoNum},
			{Text: DateTime(lang, p.PublishedAt, loc), Time: p.PublishedAt, Num: NoNum},
			textCell(platformLabel(lang, p.Platform)), textCell(typeLabel(lang, p.ContentType)), textCell(p.ChannelName), capCell,
			intCell(lang, p.Reach), intCell(lang, p.Interactions), pctCell(lang, p.EngagementRate), textCell(p.Permalink)})
	}
	return s
}

// bestTimeSection fills the document's grid and returns the same figures
// as a table for spreadsheets.
func (b *Builder) bestTimeSection(lang string, loc *time.Location, rep *analytics.BestTimesReport, d *Document) Section {
	zone := Zone(time.Now().In(loc))
	d.BestTime = BestTime{Title: T(lang, "sec.besttime"), MinPosts: rep.MinPosts, Few: T(lang, "few"),
		Desc: T(lang, "besttime.desc", zone, b.BestTimeWeeks, rep.MinPosts)}
	for r := range d.BestTime.Cells {
		for h := range d.BestTime.Cells[r] {
			d.BestTime.Cells[r][h].Value = math.NaN()
		}
	}
	for _, c := range rep.Cells {
		if c.Weekday < 1 || c.Weekday > 7 || c.Hour < 0 || c.Hour > 23 {
			continue
		}
		cell := &d.BestTime.Cells[c.Weekday-1][c.Hour]
		cell.Posts = c.Posts
		if c.MedianEngagementRate != nil && !c.TooFew {
			cell.Value = *c.MedianEngagementRate
		}
	}
	s := Section{ID: "besttime", Title: d.BestTime.Title, Sheet: T(lang, "sheet.besttime"), Note: d.BestTime.Desc, DataOnly: true,
		Columns: []Column{{Head: T(lang, "col.weekday"), Kind: Text}}}
	for h := 0; h < 24; h++ {
		s.Columns = append(s.Columns, Column{Head: fmt.Sprintf("%02d", h), Kind: Percent})
	}
	for wd := 1; wd <= 7; wd++ {
		row := []Cell{textCell(WeekdayName(lang, wd))}
		for h := 0; h < 24; h++ {
			v := d.BestTime.Cells[wd-1][h].Value
			row = append(row, Cell{Text: Pct(lang, v, 2), Num: v})
		}
		s.Rows = append(s.Rows, row)
	}
	return s
}
