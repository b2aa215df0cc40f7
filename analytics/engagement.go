package analytics

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// EngagementRow is one group: its keys (only those grouped by are set)
// and its figures.
type EngagementRow struct {
	ContentType *string `json:"content_type,omitempty"`
	Platform    *string `json:"platform,omitempty"`
	Unit        *uint64 `json:"unit,omitempty"`
	UnitName    *string `json:"unit_name,omitempty"`
	Channel     *uint64 `json:"channel,omitempty"`
	ChannelName *string `json:"channel_name,omitempty"`
	Campaign    *string `json:"campaign,omitempty"`
	Week        *string `json:"week,omitempty"`
	Month       *string `json:"month,omitempty"`
	Figures
}

// Previous is the period of equal length just before the report's.
type Previous struct {
	From   string  `json:"from"`
	To     string  `json:"to"`
	Totals Figures `json:"totals"`
	Change Change  `json:"change"`
}

// EngagementReport answers GET /engagement.
type EngagementReport struct {
	Method     string          `json:"method"`
	Age        string          `json:"age"`
	From       string          `json:"from"`
	To         string          `json:"to"`
	Timezone   string          `json:"timezone"`
	GroupBy    []string        `json:"group_by"`
	Definition Definition      `json:"definition"`
	Rows       []EngagementRow `json:"rows"`
	Totals     Figures         `json:"totals"`
	Previous   Previous        `json:"previous"`
}

// Engagement groups posts published in the period by q.GroupBy and
// compares the totals with the period before (default: last 30 days).
// Every order of the same group keys shares one computed answer.
func (s *Service) Engagement(ctx context.Context, q Query) (*EngagementReport, error) {
	canon := q
	canon.GroupBy = canonicalGroups(q.GroupBy)
	rep, err := remember(ctx, s, "engagement", canon, func(ctx context.Context) (*EngagementReport, error) {
		return s.engagement(ctx, canon)
	})
	if err != nil {
		return nil, err
	}
	return inGroupOrder(rep, q.GroupBy), nil
}

func (s *Service) engagement(ctx context.Context, q Query) (*EngagementReport, error) {
	p, err := s.resolve(ctx, q, 30)
	if err != nil {
		return nil, err
	}
	var b sqlBuf
	b.add("SELECT cur")
	for _, k := range q.GroupBy {
		b.add(", " + groupExprs[k].expr + " AS g_" + k)
	}
	if lvl, ok := s.cellLevel(q, p); ok {
		b.add(",\n    " + cellFigures(q.Method) + "\nFROM (\n")
		cellRows(&b, q, p, lvl)
	} else {
		b.add(",\n    " + figures(q.Method) + "\nFROM (\n")
		perPost(&b, q, p, true)
	}
	b.add("\n)\nGROUP BY cur")
	for _, k := range q.GroupBy {
		b.add(", g_" + k)
	}
	b.add("\nORDER BY cur DESC")
	for _, k := range q.GroupBy {
		b.add(", g_" + k)
	}
	rows, err := s.ch.Query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("engagement query: %w", err)
	}
	defer rows.Close()
	rep := &EngagementReport{Method: q.Method, Age: q.Age, From: p.fromDate.Format(DateLayout), To: p.toDate.Format(DateLayout),
		Timezone: p.tz, GroupBy: q.GroupBy, Definition: definition(q.Method, q.Age, p.tz), Rows: []EngagementRow{},
		Previous: Previous{From: p.prevFromDate.Format(DateLayout), To: p.prevToDate.Format(DateLayout)}}
	// One destination list for every row (the scan overwrites each
	// value); only the group keys a row keeps are new per row.
	var cur uint8
	var fr figureRow
	var out rowBuf[EngagementRow]
	keys := make([]any, len(q.GroupBy))
	dest := append(append([]any{&cur}, keys...), fr.dest()...)
	for rows.Next() {
		for i, k := range q.GroupBy {
			switch groupExprs[k].kind {
			case "string":
				keys[i] = new(string)
			case "uint64":
				keys[i] = new(uint64)
			case "date":
				keys[i] = new(time.Time)
			}
			dest[1+i] = keys[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("engagement scan: %w", err)
		}
		f := fr.figures()
		if cur == 0 {
			rep.Previous.Totals.add(f)
			continue
		}
		rep.Totals.add(f)
		row := EngagementRow{Figures: f}
		for i, k := range q.GroupBy {
			setKey(&row, k, keys[i])
		}
		row.finish(q.Method)
		out.add(row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("engagement rows: %w", err)
	}
	rep.Rows = out.rows()
	rep.Totals.finish(q.Method)
	rep.Previous.Totals.finish(q.Method)
	rep.Previous.Change = change(rep.Totals, rep.Previous.Totals)
	if err := s.nameRows(ctx, q.GroupBy, rep.Rows); err != nil {
		return nil, err
	}
	return rep, nil
}

func setKey(row *EngagementRow, k string, v any) {
	switch k {
	case "content_type":
		row.ContentType = v.(*string)
	case "platform":
		row.Platform = v.(*string)
	case "unit":
		row.Unit = v.(*uint64)
	case "channel":
		row.Channel = v.(*uint64)
	case "campaign":
		row.Campaign = v.(*string)
	case "week":
		d := v.(*time.Time).Format(DateLayout)
		row.Week = &d
	case "month":
		d := v.(*time.Time).Format("2006-01")
		row.Month = &d
	}
}

// nameRows adds unit and channel names when grouped by them.
func (s *Service) nameRows(ctx context.Context, groupBy []string, rows []EngagementRow) error {
	if slices.Contains(groupBy, "unit") {
		names, err := s.names(ctx, qUnitNames)
		if err != nil {
			return err
		}
		for i := range rows {
			n := names[*rows[i].Unit]
			rows[i].UnitName = &n
		}
	}
	if slices.Contains(groupBy, "channel") {
		names, err := s.names(ctx, qChannelNames)
		if err != nil {
			return err
		}
		for i := range rows {
			n := names[*rows[i].Channel]
			rows[i].ChannelName = &n
		}
	}
	return nil
}

// Campaigns is Engagement grouped by campaign (posts without one are
// grouped under an empty campaign).
func (s *Service) Campaigns(ctx context.Context, q Query) (*EngagementReport, error) {
	q.GroupBy = []string{"campaign"}
	return s.Engagement(ctx, q)
}
