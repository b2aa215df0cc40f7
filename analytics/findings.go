package analytics

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Finding is one sentence of a report's summary, in Bahasa Indonesia and
// English, generated from the posts.
type Finding struct {
	// Kind: overall, content_type, best_time, unit, platform, few_posts,
	// partial.
	Kind string `json:"kind"`
	ID   string `json:"id"`
	EN   string `json:"en"`
	// Posts is how many posts stand behind the finding.
	Posts int `json:"posts"`
	// Meaningful is true when the difference it states is larger than its
	// uncertainty (the 95% bootstrap interval excludes zero).
	Meaningful bool `json:"meaningful"`
	// Direction is +1 (up, better), −1 (down, worse) or 0.
	Direction int `json:"direction"`
}

// PeriodWords name the report's period and the one before it inside a
// sentence ("bulan ini", "bulan lalu").
type PeriodWords struct {
	ThisID, ThisEN, PrevID, PrevEN string
}

// MonthWords, QuarterWords and RangeWords are the usual PeriodWords.
var (
	MonthWords   = PeriodWords{"bulan ini", "this month", "bulan lalu", "last month"}
	QuarterWords = PeriodWords{"triwulan ini", "this quarter", "triwulan lalu", "last quarter"}
	WeekWords    = PeriodWords{"minggu ini", "this week", "minggu lalu", "last week"}
	RangeWords   = PeriodWords{"periode ini", "this period", "periode sebelumnya", "the previous period"}
)

// FindingCoverage says how much of each period the data cover.
type FindingCoverage struct {
	// CurrentFrom is set when the period's data start after its first
	// day (a channel connected mid-period); CurrentNote names the
	// channels (both languages).
	CurrentFrom                *time.Time
	CurrentNoteID, CurrentNote string
	// PreviousPartial: the period before is only partly covered, so
	// comparisons with it are marked.
	PreviousPartial bool
}

// FindingInput is what the findings are computed from.
type FindingInput struct {
	// Points are the posts of the period (Current) and the one before.
	Points []Point
	// Units is the unit tree (for the per-unit finding); Root the
	// report's unit (0: every unit).
	Units map[uint64]UnitNode
	Root  uint64
	Words PeriodWords
	// Zone is the time zone's abbreviation for hours (WIB).
	Zone     string
	Coverage FindingCoverage
	// Seed makes the bootstrap reproducible; Resamples (default 2000) and
	// MinPosts (posts a group needs to be compared, default 5) tune it.
	Seed      uint64
	Resamples int
	MinPosts  int
}

// MaxFindings is the most findings a report states.
const MaxFindings = 5

// Findings states, in plain language, what the posts show: the period's
// ER against the period before, the content types, the hours, the units
// and the platforms that stand out. A difference is stated as real only
// when it is larger than its 95% bootstrap interval; otherwise the
// sentence says it is not meaningful ("tidak berbeda bermakna"). Groups
// with fewer than MinPosts posts are not compared, and a period with too
// few posts says so instead of concluding anything.
func Findings(in FindingInput) []Finding {
	if in.MinPosts <= 0 {
		in.MinPosts = 5
	}
	if in.Resamples <= 0 {
		in.Resamples = DefaultResamples
	}
	if in.Zone == "" {
		in.Zone = "WIB"
	}
	if in.Words == (PeriodWords{}) {
		in.Words = RangeWords
	}
	var cur, prev []Point
	for _, p := range in.Points {
		if p.Current {
			cur = append(cur, p)
		} else {
			prev = append(prev, p)
		}
	}
	g := generator{in: in, cur: cur, prev: prev}
	var out []Finding
	if c := in.Coverage; c.CurrentFrom != nil {
		out = append(out, Finding{Kind: "partial", Posts: len(cur),
			ID: fmt.Sprintf("Data %s baru tersedia sejak %s%s: angka di laporan ini hanya mencakup sebagian periode.",
				in.Words.ThisID, dateID(*c.CurrentFrom), paren(c.CurrentNoteID)),
			EN: fmt.Sprintf("Data for %s start only on %s%s: the figures in this report cover part of the period.",
				in.Words.ThisEN, dateEN(*c.CurrentFrom), paren(c.CurrentNote))})
	}
	rc := rated(cur)
	switch {
	case len(rc) == 0:
		return append(out, Finding{Kind: "few_posts", Posts: len(cur),
			ID: fmt.Sprintf("Belum ada unggahan dengan data jangkauan %s (%d unggahan): belum ada yang dapat disimpulkan.", in.Words.ThisID, len(cur)),
			EN: fmt.Sprintf("No post %s has reach figures yet (%d posts): nothing can be concluded.", in.Words.ThisEN, len(cur))})
	case len(rc) < 2*in.MinPosts:
		out = append(out, Finding{Kind: "few_posts", Posts: len(rc),
			ID: fmt.Sprintf("Hanya %d unggahan %s: terlalu sedikit untuk membandingkan jenis konten, jam unggah, unit atau platform; angka di bawah hanya gambaran.",
				len(rc), in.Words.ThisID),
			EN: fmt.Sprintf("Only %d posts %s: too few to compare content types, posting hours, offices or platforms; read the figures below as a sketch.",
				len(rc), in.Words.ThisEN)})
		return append(out, g.overall())
	}
	out = append(out, g.overall())
	for _, f := range []func() (Finding, bool){g.contentTypes, g.bestTime, g.units, g.platforms} {
		if len(out) >= MaxFindings {
			break
		}
		if fd, ok := f(); ok {
			out = append(out, fd)
		}
	}
	return out
}

type generator struct {
	in        FindingInput
	cur, prev []Point
}

func (g generator) compare(a, b []Point, key string) Interval {
	return CompareRates(a, b, g.in.Seed, key, g.in.Resamples)
}

// overall: the period's ER against the period before.
func (g generator) overall() Finding {
	w := g.in.Words
	a, b := rated(g.cur), rated(g.prev)
	er := rate(a)
	if len(b) == 0 {
		return Finding{Kind: "overall", Posts: len(a),
			ID: fmt.Sprintf("ER menurut jangkauan %s %s atas %d unggahan; %s tidak ada data pembanding.", w.ThisID, pct(er, "id"), len(a), w.PrevID),
			EN: fmt.Sprintf("ER by reach %s is %s over %d posts; there are no figures for %s to compare with.", w.ThisEN, pct(er, "en"), len(a), w.PrevEN)}
	}
	iv := g.compare(a, b, "overall")
	f := Finding{Kind: "overall", Posts: len(a) + len(b), Meaningful: iv.Meaningful(), Direction: iv.Sign()}
	noteID, noteEN := "", ""
	if g.in.Coverage.PreviousPartial {
		noteID, noteEN = fmt.Sprintf(" (data %s tidak lengkap)", w.PrevID), fmt.Sprintf(" (figures for %s are incomplete)", w.PrevEN)
	}
	if iv.Meaningful() {
		up, upEN := "naik", "rose"
		if iv.Diff < 0 {
			up, upEN = "turun", "fell"
		}
		f.ID = fmt.Sprintf("ER menurut jangkauan %s %s menjadi %s dibanding %s (%s)%s; %d unggahan %s, %d %s.",
			up, points(iv.Diff, "id"), pct(iv.A, "id"), w.PrevID, pct(iv.B, "id"), noteID, len(a), w.ThisID, len(b), w.PrevID)
		f.EN = fmt.Sprintf("ER by reach %s %s to %s compared with %s (%s)%s; %d posts %s, %d %s.",
			upEN, points(iv.Diff, "en"), pct(iv.A, "en"), w.PrevEN, pct(iv.B, "en"), noteEN, len(a), w.ThisEN, len(b), w.PrevEN)
		return f
	}
	f.ID = fmt.Sprintf("ER menurut jangkauan %s %s, tidak berbeda bermakna dibanding %s (%s; selisih %s masih dalam rentang ketidakpastian)%s; %d dan %d unggahan.",
		w.ThisID, pct(iv.A, "id"), w.PrevID, pct(iv.B, "id"), signedPoints(iv.Diff, "id"), noteID, len(a), len(b))
	f.EN = fmt.Sprintf("ER by reach %s is %s, not meaningfully different from %s (%s; the %s difference is within the uncertainty)%s; %d and %d posts.",
		w.ThisEN, pct(iv.A, "en"), w.PrevEN, pct(iv.B, "en"), signedPoints(iv.Diff, "en"), noteEN, len(a), len(b))
	return f
}

// group is a set of current posts with a name in both languages.
type group struct {
	key, id, en string
	pts         []Point
	er          float64
}

// groups splits the current rated posts by key, keeping groups with
// enough posts (the others are counted in few), best ER first.
func (g generator) groups(key func(Point) string, name func(string) (string, string)) (ok []group, few int) {
	by := map[string][]Point{}
	for _, p := range rated(g.cur) {
		by[key(p)] = append(by[key(p)], p)
	}
	for k, pts := range by {
		if len(pts) < g.in.MinPosts {
			few += len(pts)
			continue
		}
		id, en := name(k)
		ok = append(ok, group{key: k, id: id, en: en, pts: pts, er: rate(pts)})
	}
	slices.SortFunc(ok, func(a, b group) int {
		if a.er != b.er {
			if a.er > b.er {
				return -1
			}
			return 1
		}
		return strings.Compare(a.key, b.key)
	})
	return ok, few
}

var typeNames = map[string][2]string{
	"photo": {"foto", "photos"}, "video": {"video", "videos"}, "interactive": {"konten interaktif", "interactive posts"},
	"text": {"teks", "text posts"}, "link": {"tautan", "link posts"},
}

func typeName(k string) (string, string) {
	if n, ok := typeNames[k]; ok {
		return n[0], n[1]
	}
	if k == "" {
		return "tanpa jenis", "untyped posts"
	}
	return k, k
}

// contentTypes: which content types lead, if any leads meaningfully.
func (g generator) contentTypes() (Finding, bool) {
	gs, few := g.groups(func(p Point) string { return p.ContentType }, typeName)
	return g.leaders("content_type", gs, few, "jenis konten", "content type")
}

// leaders states which groups lead: the best and every group not
// meaningfully below it, against the rest.
func (g generator) leaders(kind string, gs []group, few int, whatID, whatEN string) (Finding, bool) {
	if len(gs) < 2 {
		return Finding{}, false
	}
	w := g.in.Words
	best := gs[0]
	lead, rest := []group{best}, []group(nil)
	for _, o := range gs[1:] {
		if g.compare(best.pts, o.pts, kind+"\x1f"+best.key+"\x1f"+o.key).Meaningful() {
			rest = append(rest, o)
		} else {
			lead = append(lead, o)
		}
	}
	n := 0
	for _, x := range gs {
		n += len(x.pts)
	}
	fewID, fewEN := "", ""
	if few > 0 {
		fewID = fmt.Sprintf("; %d unggahan lain dari %s yang terlalu sedikit (< %d) tidak dibandingkan", few, whatID, g.in.MinPosts)
		fewEN = fmt.Sprintf("; %d posts of %ss with too few posts (< %d) are not compared", few, whatEN, g.in.MinPosts)
	}
	f := Finding{Kind: kind, Posts: n}
	if len(rest) == 0 {
		f.ID = capital(fmt.Sprintf("ER menurut %s tidak berbeda bermakna %s (%s; %d unggahan)%s.", whatID, w.ThisID, listER(gs, "id"), n, fewID))
		f.EN = capital(fmt.Sprintf("ER by %s is not meaningfully different %s (%s; %d posts)%s.", whatEN, w.ThisEN, listER(gs, "en"), n, fewEN))
		return f, true
	}
	f.Meaningful, f.Direction = true, 1
	tieID, tieEN := "", ""
	if len(lead) > 1 {
		tieID, tieEN = "; tidak berbeda bermakna satu sama lain", "; not meaningfully different from each other"
	}
	f.ID = capital(fmt.Sprintf("%s paling efektif %s (ER %s%s), di atas %s; %d unggahan%s.", names(lead, "id"), w.ThisID,
		listOnlyER(lead, "id"), tieID, listER(rest, "id"), n, fewID))
	f.EN = capital(fmt.Sprintf("%s worked best %s (ER %s%s), ahead of %s; %d posts%s.", names(lead, "en"), w.ThisEN,
		listOnlyER(lead, "en"), tieEN, listER(rest, "en"), n, fewEN))
	return f, true
}

// hourBands are the posting-hour windows compared (local time).
var hourBands = [][2]int{{0, 6}, {6, 9}, {9, 12}, {12, 15}, {15, 18}, {18, 21}, {21, 24}}

func bandOf(h int) int {
	for i, b := range hourBands {
		if h >= b[0] && h < b[1] {
			return i
		}
	}
	return len(hourBands) - 1
}

// bestTime: the posting-hour window with the best ER against all other
// posts.
func (g generator) bestTime() (Finding, bool) {
	w := g.in.Words
	gs, _ := g.groups(func(p Point) string { return strconv.Itoa(bandOf(p.Hour)) }, func(k string) (string, string) {
		i, _ := strconv.Atoi(k)
		b := hourBands[i]
		return fmt.Sprintf("pukul %02d.00–%02d.00 %s", b[0], b[1], g.in.Zone), fmt.Sprintf("%02d:00–%02d:00 %s", b[0], b[1], g.in.Zone)
	})
	if len(gs) < 2 {
		return Finding{}, false
	}
	best := gs[0]
	var others []Point
	for _, p := range rated(g.cur) {
		if strconv.Itoa(bandOf(p.Hour)) != best.key {
			others = append(others, p)
		}
	}
	iv := g.compare(best.pts, others, "best_time\x1f"+best.key)
	f := Finding{Kind: "best_time", Posts: len(best.pts) + len(others), Meaningful: iv.Meaningful(), Direction: iv.Sign()}
	if iv.Meaningful() && iv.Diff > 0 {
		f.ID = fmt.Sprintf("Unggahan %s mendapat ER tertinggi %s (%s atas %d unggahan), lebih tinggi secara bermakna dari jam lain (%s, %d unggahan).",
			best.id, w.ThisID, pct(iv.A, "id"), len(best.pts), pct(iv.B, "id"), len(others))
		f.EN = fmt.Sprintf("Posts at %s had the highest ER %s (%s over %d posts), meaningfully above other hours (%s, %d posts).",
			best.en, w.ThisEN, pct(iv.A, "en"), len(best.pts), pct(iv.B, "en"), len(others))
		return f, true
	}
	f.Meaningful, f.Direction = false, 0
	f.ID = fmt.Sprintf("ER menurut jam unggah tidak berbeda bermakna %s: tertinggi %s (%s, %d unggahan) dibanding jam lain %s (%d unggahan).",
		w.ThisID, best.id, pct(iv.A, "id"), len(best.pts), pct(iv.B, "id"), len(others))
	f.EN = fmt.Sprintf("ER by posting hour is not meaningfully different %s: highest at %s (%s, %d posts) against %s at other hours (%d posts).",
		w.ThisEN, best.en, pct(iv.A, "en"), len(best.pts), pct(iv.B, "en"), len(others))
	return f, true
}

// units: the office (with its sub-units) whose ER changed most against
// the period before, when the change is meaningful.
func (g generator) units() (Finding, bool) {
	if len(g.in.Units) == 0 {
		return Finding{}, false
	}
	w := g.in.Words
	under := func(pts []Point, u uint64) []Point {
		var out []Point
		for _, p := range rated(pts) {
			anc := g.in.Units[p.Unit].Ancestors
			if p.Unit == u || slices.Contains(anc, u) {
				out = append(out, p)
			}
		}
		return out
	}
	type cand struct {
		u    UnitNode
		iv   Interval
		n    int
		name string
	}
	var cands []cand
	allCur := len(rated(g.cur))
	ids := make([]uint64, 0, len(g.in.Units))
	for id := range g.in.Units {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		u := g.in.Units[id]
		if g.in.Root != 0 && (id == g.in.Root || !slices.Contains(u.Ancestors, g.in.Root)) {
			continue
		}
		c, p := under(g.cur, id), under(g.prev, id)
		if len(c) < g.in.MinPosts || len(p) < g.in.MinPosts || len(c) == allCur {
			continue // too few, or the same posts as the whole report
		}
		cands = append(cands, cand{u: u, iv: g.compare(c, p, "unit\x1f"+strconv.FormatUint(id, 10)), n: len(c) + len(p), name: u.Name})
	}
	if len(cands) == 0 {
		return Finding{}, false
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		if a.iv.Meaningful() != b.iv.Meaningful() {
			if a.iv.Meaningful() {
				return -1
			}
			return 1
		}
		switch da, db := math.Abs(a.iv.Diff), math.Abs(b.iv.Diff); {
		case da > db:
			return -1
		case da < db:
			return 1
		}
		return 0
	})
	top := cands[0]
	if !top.iv.Meaningful() && len(cands) == 1 {
		return Finding{Kind: "unit", Posts: top.n,
			ID: fmt.Sprintf("ER %s %s (%s), tidak berbeda bermakna dibanding %s (%s); %d dan %d unggahan.", top.name, w.ThisID,
				pct(top.iv.A, "id"), w.PrevID, pct(top.iv.B, "id"), top.iv.NA, top.iv.NB),
			EN: fmt.Sprintf("%s's ER %s (%s) is not meaningfully different from %s (%s); %d and %d posts.", top.name, w.ThisEN,
				pct(top.iv.A, "en"), w.PrevEN, pct(top.iv.B, "en"), top.iv.NA, top.iv.NB)}, true
	}
	if !top.iv.Meaningful() {
		n := 0
		for _, c := range cands {
			n += c.n
		}
		return Finding{Kind: "unit", Posts: n,
			ID: fmt.Sprintf("Tidak ada unit yang ER-nya berubah bermakna dibanding %s (%d unit dibandingkan; terbesar %s, %s).",
				w.PrevID, len(cands), top.name, signedPoints(top.iv.Diff, "id")),
			EN: fmt.Sprintf("No office's ER changed meaningfully compared with %s (%d offices compared; largest %s, %s).",
				w.PrevEN, len(cands), top.name, signedPoints(top.iv.Diff, "en"))}, true
	}
	up, upEN := "naik", "rose"
	if top.iv.Diff < 0 {
		up, upEN = "turun", "fell"
	}
	return Finding{Kind: "unit", Posts: top.n, Meaningful: true, Direction: top.iv.Sign(),
		ID: fmt.Sprintf("%s %s %s dibanding %s (ER %s dari %s; %d unggahan %s, %d %s).", top.name, up, points(top.iv.Diff, "id"),
			w.PrevID, pct(top.iv.A, "id"), pct(top.iv.B, "id"), top.iv.NA, w.ThisID, top.iv.NB, w.PrevID),
		EN: fmt.Sprintf("%s %s %s compared with %s (ER %s from %s; %d posts %s, %d %s).", top.name, upEN, points(top.iv.Diff, "en"),
			w.PrevEN, pct(top.iv.A, "en"), pct(top.iv.B, "en"), top.iv.NA, w.ThisEN, top.iv.NB, w.PrevEN)}, true
}

// platforms: Facebook against Instagram.
func (g generator) platforms() (Finding, bool) {
	gs, few := g.groups(func(p Point) string { return p.Platform }, func(k string) (string, string) {
		switch k {
		case "facebook":
			return "Facebook", "Facebook"
		case "instagram":
			return "Instagram", "Instagram"
		}
		return k, k
	})
	return g.leaders("platform", gs, few, "platform", "platform")
}

// Formatting inside sentences: 1 decimal for rates, points with a sign.

func pct(v float64, lang string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	return num(v*100, 1, lang) + "%"
}

func points(d float64, lang string) string {
	dec := 1
	if math.Abs(d*100) < 0.095 {
		dec = 2
	}
	word := " poin"
	if lang == "en" {
		word = " points"
	}
	return num(math.Abs(d)*100, dec, lang) + word
}

func signedPoints(d float64, lang string) string {
	if math.Abs(d*100) < 0.005 {
		return "±" + points(0, lang)
	}
	sign := "+"
	if d < 0 {
		sign = "−"
	}
	return sign + points(d, lang)
}

func num(v float64, dec int, lang string) string {
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func listER(gs []group, lang string) string {
	parts := make([]string, len(gs))
	for i, x := range gs {
		n := x.id
		if lang == "en" {
			n = x.en
		}
		parts[i] = fmt.Sprintf("%s %s", n, pct(x.er, lang))
	}
	return strings.Join(parts, ", ")
}

func listOnlyER(gs []group, lang string) string {
	parts := make([]string, len(gs))
	for i, x := range gs {
		parts[i] = pct(x.er, lang)
	}
	return joinAnd(parts, lang)
}

func names(gs []group, lang string) string {
	parts := make([]string, len(gs))
	for i, x := range gs {
		parts[i] = x.id
		if lang == "en" {
			parts[i] = x.en
		}
	}
	return joinAnd(parts, lang)
}

func joinAnd(parts []string, lang string) string {
	and := " dan "
	if lang == "en" {
		and = " and "
	}
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + and + parts[len(parts)-1]
}

func capital(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = []rune(strings.ToUpper(string(r[0])))[0]
	return string(r)
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

var monthsShortID = [...]string{"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"}

func dateID(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), monthsShortID[t.Month()-1], t.Year())
}

func dateEN(t time.Time) string { return t.Format("2 Jan 2006") }
