package chdiff

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/humas-id/humas/chdiff/capture"
)

// Log is one captured database's statements in the order they finished.
type Log struct {
	DB      string
	Entries []capture.Entry
}

// LoadCorpus reads every <db>.<pid>.jsonl in dir and merges the files of
// each database by completion time.
func LoadCorpus(dir string) ([]Log, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	byDB := map[string][]capture.Entry{}
	for _, f := range files {
		if err := readLog(f, byDB); err != nil {
			return nil, err
		}
	}
	var logs []Log
	for db, es := range byDB {
		sort.SliceStable(es, func(i, j int) bool { return es[i].T < es[j].T })
		logs = append(logs, Log{DB: db, Entries: es})
	}
	sort.Slice(logs, func(i, j int) bool { return logs[i].DB < logs[j].DB })
	return logs, nil
}

func readLog(path string, byDB map[string][]capture.Entry) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	for n := 1; sc.Scan(); n++ {
		var e capture.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return fmt.Errorf("%s line %d: %w", path, n, err)
		}
		byDB[e.DB] = append(byDB[e.DB], e)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Outcome is what one engine did with one statement.
type Outcome struct {
	Engine string
	Answer Answer
	Err    error
}

func (o Outcome) String() string {
	if o.Err != nil {
		return "  error: " + o.Err.Error()
	}
	return o.Answer.String()
}

// Diff is a statement whose outcome on an engine differs from the
// reference engine's.
type Diff struct {
	DB      string
	Entry   capture.Entry
	Why     string
	Ref     Outcome
	Other   Outcome
	Cascade bool // an earlier write to this database failed on this engine only
}

// Stats count what a replay did.
type Stats struct {
	Databases, Statements, Reads, Compared, Skipped int
	// Stale reads came before a write the reference engine had already
	// run (RefWritten), so they are not compared.
	Stale int
	// Legacy statements are history (store.IsLegacy): replayed, not compared.
	Legacy int
	// Volatile reads observe server bookkeeping (store.IsVolatile):
	// replayed, not compared.
	Volatile int
	// Foreign statements name a test database no captured process wrote
	// (a subprocess such as the humas binary in cmd tests filled it).
	Foreign int
}

// Replayer replays logs on a reference engine (the one the statements were
// captured on) and compares every other engine's outcome with it.
type Replayer struct {
	Ref    Engine
	Others []Engine
	// Problems are replay failures that are nobody's difference: a
	// statement that succeeded when captured fails on the reference
	// engine too, or could not be recorded.
	Problems []string
	Diffs    []Diff
	Stats    Stats
	// InPlace replays into the captured databases themselves, which already
	// exist on every engine with the same contents (a mirrored data set),
	// instead of fresh copies.
	InPlace bool
	// RefWritten: the writes already happened on the reference engine when
	// they were captured; only the other engines run them.
	RefWritten bool
	// Observe, when set, sees every compared read's outcomes.
	Observe func(ent capture.Entry, ref Outcome, others []Outcome)
}

// serverDatabases are the databases every server has; a replay renames
// only the tests' own.
var serverDatabases = map[string]bool{"system": true, "default": true, "information_schema": true}

var ownDrop = regexp.MustCompile("(?is)^\\s*DROP\\s+DATABASE\\s+(IF\\s+EXISTS\\s+)?`?(\\w+)`?\\s*$")

// Replay runs the logs' statements on every engine in the order they were
// sent (all databases merged by time, so a statement naming another
// captured database finds it), each captured database becoming a fresh
// database of each engine's own (the captured name plus a suffix), and
// compares every engine's outcome with the reference engine's.
func (r *Replayer) Replay(logs []Log) error {
	for _, l := range logs {
		// Renaming is by text: a server database's name (system.tables)
		// would be rewritten in every statement of every log.
		if serverDatabases[strings.ToLower(l.DB)] {
			return fmt.Errorf("captured statements of database %s, the server's own: a test opened a store on it; "+
				"check for a database with store.DatabaseExists instead", l.DB)
		}
	}
	engines := append([]Engine{r.Ref}, r.Others...)
	type item struct {
		log int
		ent capture.Entry
	}
	var timeline []item
	renames := make([][]string, len(engines))
	known := map[string]bool{}
	for li, l := range logs {
		known[l.DB] = true
		r.Stats.Databases++
		for _, e := range l.Entries {
			timeline = append(timeline, item{li, e})
		}
		for i := range engines {
			renames[i] = append(renames[i], l.DB, r.replayName(l.DB, i))
		}
	}
	sort.SliceStable(timeline, func(a, b int) bool { return timeline[a].ent.T < timeline[b].ent.T })
	replacers := make([]*strings.Replacer, len(engines))
	for i, e := range engines {
		replacers[i] = strings.NewReplacer(renames[i]...)
		if r.InPlace {
			continue
		}
		for _, l := range logs {
			if err := e.Reset(r.replayName(l.DB, i)); err != nil {
				return fmt.Errorf("%s: create %s: %w", e.Name(), r.replayName(l.DB, i), err)
			}
		}
	}
	defer func() {
		if r.InPlace {
			return
		}
		for i, e := range engines {
			for _, l := range logs {
				_ = e.Drop(r.replayName(l.DB, i))
			}
		}
	}()
	// failed[engine][db]: a write (DDL, insert) failed there on that engine
	// only, so later differences in that database may just follow from it.
	failed := make([]map[string]bool, len(r.Others))
	for i := range failed {
		failed[i] = map[string]bool{}
	}
	// With RefWritten, the reference already holds every write, so a read
	// sent before the last write of its database saw another state there.
	lastWrite := map[string]int{}
	for n, it := range timeline {
		if it.ent.Kind != capture.KindRead {
			lastWrite[logs[it.log].DB] = n
		}
	}
	for n, it := range timeline {
		ent, db := it.ent, logs[it.log].DB
		if ent.Unsent {
			r.Stats.Skipped++
			continue
		}
		if ent.Unrecordable != "" {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: statement at %s (%s) was not recorded: %s", db, ent.At, ent.Test, ent.Unrecordable))
			continue
		}
		if m := ownDrop.FindStringSubmatch(ent.SQL); m != nil && m[2] == db {
			continue // the test's cleanup; the replay drops its own databases
		}
		if foreign(ent.SQL, known) {
			r.Stats.Foreign++
			continue
		}
		if r.RefWritten && ent.Kind == capture.KindRead && n < lastWrite[db] {
			r.Stats.Stale++
			continue
		}
		r.Stats.Statements++
		outs := make([]Outcome, len(engines))
		var wg sync.WaitGroup
		for i := range engines { // each engine is its own process
			if i == 0 && r.RefWritten && ent.Kind != capture.KindRead {
				outs[0] = Outcome{Engine: engines[0].Name()}
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				outs[i] = run(engines[i], r.replayName(db, i), replacers[i], ent)
			}()
		}
		wg.Wait()
		ref := outs[0]
		if ent.Legacy {
			r.Stats.Legacy++
			continue
		}
		if ent.Volatile {
			r.Stats.Volatile++
			continue
		}
		if ref.Err != nil && ent.Err == "" {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: statement at %s (%s) succeeded when captured but fails on %s in the replay: %v\n%s",
				db, ent.At, ent.Test, ref.Engine, ref.Err, clip(ent.SQL, 2000)))
		}
		if ent.Kind == capture.KindRead {
			r.Stats.Reads++
			if r.Observe != nil {
				r.Observe(ent, ref, outs[1:])
			}
		}
		for i, o := range outs[1:] {
			why := compareOutcomes(ref, o, ent)
			if why == "" {
				if ent.Kind == capture.KindRead && ref.Err == nil {
					r.Stats.Compared++
				}
				continue
			}
			r.Diffs = append(r.Diffs, Diff{DB: db, Entry: ent, Why: why, Ref: ref, Other: o, Cascade: failed[i][db]})
			if o.Err != nil && ref.Err == nil && ent.Kind != capture.KindRead {
				failed[i][db] = true
			}
		}
	}
	return nil
}

var testDB = regexp.MustCompile(`\btest_[0-9a-f]{12}\b`)

// foreign reports whether sql names a test database not in known.
func foreign(sql string, known map[string]bool) bool {
	for _, db := range testDB.FindAllString(sql, -1) {
		if !known[db] {
			return true
		}
	}
	return false
}

func (r *Replayer) replayName(db string, engine int) string {
	if r.InPlace {
		return db
	}
	return fmt.Sprintf("%s_cmp%d", db, engine)
}

func run(e Engine, db string, rename *strings.Replacer, ent capture.Entry) Outcome {
	out, err := e.Run(db, rename.Replace(ent.SQL))
	o := Outcome{Engine: e.Name(), Err: err}
	if err == nil && ent.Kind == capture.KindRead {
		o.Answer, o.Err = parseAnswer(out)
	}
	if o.Err != nil {
		o.Err = errors.New(unrename.ReplaceAllString(o.Err.Error(), "$1"))
	}
	return o
}

// unrename turns replay database names in messages back into the captured
// ones.
var unrename = regexp.MustCompile(`(test_[0-9a-f]+)_cmp\d+`)

func compareOutcomes(ref, o Outcome, ent capture.Entry) string {
	switch {
	case ref.Err != nil && o.Err != nil:
		return ""
	case ref.Err != nil:
		return "fails on " + ref.Engine + " only"
	case o.Err != nil:
		return "fails on " + o.Engine + " only"
	case ent.Kind != capture.KindRead:
		return ""
	}
	if same, why := sameAnswer(ref.Answer, o.Answer, options(ent.SQL)); !same {
		return "answers differ: " + why
	}
	return ""
}

// clip shortens a statement for a message.
func clip(sql string, max int) string {
	if len(sql) <= max {
		return sql
	}
	return sql[:max] + fmt.Sprintf("\n… (%d more bytes)", len(sql)-max)
}

// shape is a statement with its literals blanked, to group differences of
// the same statement sent with other values.
func shape(sql string) string {
	s := literalRe.ReplaceAllString(sql, "?")
	s = numberRe.ReplaceAllString(s, "N")
	return strings.Join(strings.Fields(s), " ")
}

var (
	literalRe = regexp.MustCompile(`'(?:[^'\\]|\\.)*'`)
	numberRe  = regexp.MustCompile(`\b\d+\b`)
)

// Report lists the differences per engine, grouped by statement shape:
// each group once, with both outcomes of its first occurrence; failures
// that may only follow an earlier failure in the same database get one line.
func (r *Replayer) Report() string {
	type group struct {
		first   Diff
		count   int
		cascade bool
	}
	var b strings.Builder
	distinct := 0
	for _, eng := range r.Others {
		groups := map[string]*group{}
		var order []string
		for _, d := range r.Diffs {
			if d.Other.Engine != eng.Name() {
				continue
			}
			k := shape(d.Entry.SQL) + "\x00" + strings.SplitN(d.Why, ":", 2)[0]
			g, ok := groups[k]
			if !ok {
				g = &group{first: d, cascade: true}
				groups[k] = g
				order = append(order, k)
			}
			g.count++
			g.cascade = g.cascade && d.Cascade
		}
		distinct += len(order)
		if len(order) == 0 {
			fmt.Fprintf(&b, "\n##### %s: same answers as %s\n", eng.Name(), r.Ref.Name())
			continue
		}
		fmt.Fprintf(&b, "\n##### %s: %d distinct statements differ from %s\n", eng.Name(), len(order), r.Ref.Name())
		var cascades []string
		n := 0
		for _, k := range order {
			g := groups[k]
			d := g.first
			if g.cascade {
				what := d.Why
				if d.Other.Err != nil {
					what = d.Other.Err.Error()
				}
				cascades = append(cascades, fmt.Sprintf("  %d× %s: %s", g.count, oneLine(d.Entry.SQL, 110), oneLine(what, 160)))
				continue
			}
			n++
			fmt.Fprintf(&b, "\n=== %s difference %d (%d times): %s\nsent from %s (%s), database %s\n--- statement\n%s\n--- %s\n%s\n--- %s\n%s\n",
				eng.Name(), n, g.count, d.Why, d.Entry.At, d.Entry.Test, d.DB, clip(d.Entry.SQL, 4000),
				d.Ref.Engine, d.Ref, d.Other.Engine, d.Other)
		}
		if len(cascades) > 0 {
			fmt.Fprintf(&b, "\n--- %s: %d more statements differ after a write failed on this engine only in the same database (they may just follow from it):\n%s\n",
				eng.Name(), len(cascades), strings.Join(cascades, "\n"))
		}
	}
	return fmt.Sprintf("%d statements differ (%d distinct per engine); replayed %d databases, %d statements, %d read answers compared:\n",
		len(r.Diffs), distinct, r.Stats.Databases, r.Stats.Statements, r.Stats.Compared) + b.String()
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
