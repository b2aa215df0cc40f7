package analytics

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/humas-id/humas/valid"
)

// Methods, ages, group-by keys and sort keys accepted by reports. Only
// these reach SQL, each through a fixed map in sql.go.
var (
	Methods   = []string{"reach", "views", "followers"}
	Ages      = []string{"latest", "24h", "7d", "28d"}
	GroupKeys = []string{"content_type", "platform", "unit", "channel", "campaign", "week", "month"}
	SortKeys  = []string{"engagement_rate", "reach", "interactions"}
	Platforms = []string{"facebook", "instagram"}
	Orders    = []string{"desc", "asc"}
)

// ageSeconds is the post age each fixed-age choice compares at. The
// read model precomputes exactly these (the age list of post_at_age in
// store/chmigrations/0022): a new age needs a migration adding it there.
var ageSeconds = map[string]int64{"24h": 24 * 3600, "7d": 7 * 24 * 3600, "28d": 28 * 24 * 3600}

// MaxRangeDays bounds a report's period (two years).
const MaxRangeDays = 731

// DateLayout is the layout of from and to.
const DateLayout = "2006-01-02"

// EarliestDate and LatestDate bound every report date: no Page or account
// has posts from before 2004, and a date past 2099 is a typing error that
// would otherwise reach ClickHouse (whose DateTime ends in 2106).
var (
	EarliestDate = time.Date(2004, 1, 1, 0, 0, 0, 0, time.UTC)
	LatestDate   = time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC)
)

// CheckDateWindow answers a *ParamError naming param when day (a calendar
// date at midnight UTC) is outside EarliestDate..LatestDate.
func CheckDateWindow(param string, day time.Time) error {
	if day.Before(EarliestDate) || day.After(LatestDate) {
		return badParam(param,
			fmt.Sprintf("%s is outside the dates reports cover (%s to %s)", day.Format(DateLayout),
				EarliestDate.Format(DateLayout), LatestDate.Format(DateLayout)),
			fmt.Sprintf("%s di luar rentang tanggal laporan (%s sampai %s)", day.Format(DateLayout),
				EarliestDate.Format(DateLayout), LatestDate.Format(DateLayout)))
	}
	return nil
}

// Query is a parsed, validated report request. Dates are calendar dates
// in the report's time zone; To is inclusive.
type Query struct {
	From, To    time.Time // midnight UTC of the calendar date; zero = default
	GroupBy     []string
	Method      string
	Age         string
	Platform    string
	Unit        uint64
	Channel     uint64
	ContentType string
	Campaign    string
	Sort        string
	Order       string
	Limit       int
}

// ParamError is a bad request parameter: which one, what is wrong and what
// is allowed, in English and Bahasa Indonesia.
type ParamError struct {
	Param     string
	Message   string
	MessageID string
}

func (e *ParamError) Error() string { return "parameter " + e.Param + ": " + e.Message }

// Is makes errors.Is(err, valid.ErrBadParam) true.
func (e *ParamError) Is(target error) bool { return target == valid.ErrBadParam }

// Problem describes the bad parameter for the API.
func (e *ParamError) Problem() *valid.Problem { return valid.BadParam(e.Param, e.Message, e.MessageID) }

func badParam(param, en, id string) *ParamError {
	return &ParamError{Param: param, Message: en, MessageID: id}
}

func notAllowed(param, got string, allowed []string) *ParamError {
	list := strings.Join(allowed, ", ")
	return badParam(param,
		fmt.Sprintf("%q is not allowed; use one of: %s", got, list),
		fmt.Sprintf("%q tidak dikenal; gunakan salah satu dari: %s", got, list))
}

// ParseQuery reads and validates report parameters. Unknown values of the
// fixed lists, bad dates, from after to and a range over two years are
// *ParamError.
func ParseQuery(v url.Values) (Query, error) {
	q := Query{Method: "reach", Age: "latest", GroupBy: []string{"content_type"}, Sort: "engagement_rate", Order: "desc", Limit: 20}
	var err error
	if q.From, err = parseDate(v, "from"); err != nil {
		return q, err
	}
	if q.To, err = parseDate(v, "to"); err != nil {
		return q, err
	}
	if !q.From.IsZero() && !q.To.IsZero() {
		if q.From.After(q.To) {
			return q, badParam("from", "from ("+q.From.Format(DateLayout)+") is after to ("+q.To.Format(DateLayout)+"); swap them",
				"from ("+q.From.Format(DateLayout)+") sesudah to ("+q.To.Format(DateLayout)+"); tukar keduanya")
		}
		if days := int(q.To.Sub(q.From).Hours()/24) + 1; days > MaxRangeDays {
			return q, badParam("to", fmt.Sprintf("the period spans %d days; at most %d (two years) are allowed", days, MaxRangeDays),
				fmt.Sprintf("periode mencakup %d hari; paling banyak %d hari (dua tahun)", days, MaxRangeDays))
		}
	}
	if s := strings.TrimSpace(v.Get("group_by")); s != "" {
		q.GroupBy = nil
		for _, k := range strings.Split(s, ",") {
			k = strings.TrimSpace(k)
			if !slices.Contains(GroupKeys, k) {
				return q, notAllowed("group_by", k, GroupKeys)
			}
			if !slices.Contains(q.GroupBy, k) {
				q.GroupBy = append(q.GroupBy, k)
			}
		}
	}
	if err := pick(v, "method", Methods, &q.Method); err != nil {
		return q, err
	}
	if err := pick(v, "age", Ages, &q.Age); err != nil {
		return q, err
	}
	if err := pick(v, "platform", Platforms, &q.Platform); err != nil {
		return q, err
	}
	if err := pick(v, "sort", SortKeys, &q.Sort); err != nil {
		return q, err
	}
	if err := pick(v, "order", Orders, &q.Order); err != nil {
		return q, err
	}
	if q.Unit, err = parseID(v, "unit"); err != nil {
		return q, err
	}
	if q.Channel, err = parseID(v, "channel"); err != nil {
		return q, err
	}
	q.ContentType = strings.TrimSpace(v.Get("content_type"))
	q.Campaign = strings.TrimSpace(v.Get("campaign"))
	if len(q.ContentType) > 64 {
		return q, badParam("content_type", "at most 64 characters", "paling banyak 64 karakter")
	}
	if len(q.Campaign) > 200 {
		return q, badParam("campaign", "at most 200 characters", "paling banyak 200 karakter")
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return q, badParam("limit", fmt.Sprintf("%q is not a whole number from 1 to 1000", s),
				fmt.Sprintf("%q bukan bilangan bulat 1 sampai 1000", s))
		}
		q.Limit = n
	}
	return q, nil
}

func pick(v url.Values, name string, allowed []string, dst *string) error {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return nil
	}
	if !slices.Contains(allowed, s) {
		return notAllowed(name, s, allowed)
	}
	*dst = s
	return nil
}

func parseDate(v url.Values, name string) (time.Time, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, badParam(name, fmt.Sprintf("%q is not a date; write YYYY-MM-DD, e.g. 2025-01-31", s),
			fmt.Sprintf("%q bukan tanggal; tulis YYYY-MM-DD, misalnya 2025-01-31", s))
	}
	if err := CheckDateWindow(name, t); err != nil {
		return time.Time{}, err
	}
	return t, nil
}

func parseID(v url.Values, name string) (uint64, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, badParam(name, fmt.Sprintf("%q is not an id; give the numeric id of a %s", s, name),
			fmt.Sprintf("%q bukan id; berikan id angka dari %s", s, name))
	}
	return n, nil
}
