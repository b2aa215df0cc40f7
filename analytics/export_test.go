package analytics

import "context"

// CellLevelOf says which cell level a grouped report of q reads (ok
// false: it reads the posts).
func (s *Service) CellLevelOf(ctx context.Context, q Query) (level int, ok bool, err error) {
	p, err := s.resolve(ctx, q, 30)
	if err != nil {
		return 0, false, err
	}
	l, ok := s.cellLevel(q, p)
	return int(l), ok, nil
}

// SetBeforeCells sets a function run before a generation's cells are
// built (set it before Start or Refresh).
func (s *Service) SetBeforeCells(f func(ctx context.Context, gen uint32)) { s.beforeCells = f }

// TagCellLevelOf says which hashtag cell level a hashtag report of q
// reads (ok false: it reads the posts).
func (s *Service) TagCellLevelOf(ctx context.Context, q Query) (level int, ok bool, err error) {
	p, err := s.resolve(ctx, q, 30)
	if err != nil {
		return 0, false, err
	}
	l, ok := s.tagCellLevel(q, p)
	return int(l), ok, nil
}

// ChannelUnitsOf is the unit condition a report of q filtered by channel
// adds on the per-post read model (nil: none).
func (s *Service) ChannelUnitsOf(ctx context.Context, q Query) ([]uint64, error) {
	p, err := s.resolve(ctx, q, 30)
	if err != nil {
		return nil, err
	}
	return p.chanUnits, nil
}

// SetFollowerBookMax sets the most channel days a follower book holds and
// returns a function that restores it.
func SetFollowerBookMax(n int) (restore func()) {
	old := followerBookMax
	followerBookMax = n
	return func() { followerBookMax = old }
}

// FollowersJSONSize is the size the answer cache counts for r.
func FollowersJSONSize(r *FollowersReport) int64 { return r.jsonSize() }
