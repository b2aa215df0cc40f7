package inbox

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/humas-id/humas/store"
)

// ResponseRow is how a channel answered the comments made in a period:
// comments from the public (replies among them), those that were
// questions, how many the unit answered, and the median time to its
// first answer (NaN when none was answered).
type ResponseRow struct {
	ChannelID     int64   `json:"channel_id"`
	UnitID        int64   `json:"unit_id"`
	Platform      string  `json:"platform"`
	Comments      int     `json:"comments"`
	Questions     int     `json:"questions"`
	Answered      int     `json:"answered"`
	QuestionsDone int     `json:"questions_answered"`
	MedianMinutes float64 `json:"median_response_minutes"`
}

// Rate is the share of comments answered (NaN without comments).
func (r ResponseRow) Rate() float64 {
	if r.Comments == 0 {
		return math.NaN()
	}
	return float64(r.Answered) / float64(r.Comments)
}

// ResponseStats counts, per channel of units (nil: all), the public's
// comments made in [from, to) and the unit's answers to them.
func (s *Service) ResponseStats(ctx context.Context, units []int64, from, to time.Time) ([]ResponseRow, error) {
	q := `SELECT channel_id, unit_id, platform, is_question, created_at, first_reply_at FROM comments
WHERE by_page = 0 AND created_at >= ? AND created_at < ?`
	args := []any{store.FormatTime(from), store.FormatTime(to)}
	if units != nil {
		q += ` AND unit_id IN (SELECT value FROM json_each(?))`
		args = append(args, jsonInts(units))
	}
	rows, err := s.db.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("comment response figures: %w", err)
	}
	defer rows.Close()
	by := map[int64]*ResponseRow{}
	waits := map[int64][]float64{}
	for rows.Next() {
		var ch, unit int64
		var platform, created string
		var question bool
		var replied *string
		if err := rows.Scan(&ch, &unit, &platform, &question, &created, &replied); err != nil {
			return nil, err
		}
		r := by[ch]
		if r == nil {
			r = &ResponseRow{ChannelID: ch, UnitID: unit, Platform: platform}
			by[ch] = r
		}
		r.Comments++
		if question {
			r.Questions++
		}
		if replied == nil {
			continue
		}
		r.Answered++
		if question {
			r.QuestionsDone++
		}
		c, err1 := store.ParseTime(created)
		a, err2 := store.ParseTime(*replied)
		if err1 == nil && err2 == nil {
			waits[ch] = append(waits[ch], max(a.Sub(c).Minutes(), 0))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]ResponseRow, 0, len(by))
	for ch, r := range by {
		r.MedianMinutes = median(waits[ch])
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ChannelID < out[j].ChannelID })
	return out, nil
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	sort.Float64s(v)
	if n := len(v); n%2 == 1 {
		return v[n/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}
