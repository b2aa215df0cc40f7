// Package planted holds SQL the lint must refuse (sqllint_test.go).
package planted

const qHead = `SELECT post, age FROM (SELECT post, age FROM ages) AS a `

// The construct is split over two literals: only the folded constant shows it.
const qJoin = qHead + "ANY " + "INNER JOIN (SELECT post FROM facts GROUP BY post) AS f USING post"

func weekday() string { return "SELECT toDayOfWeek(published_at, 'Asia/Jakarta') AS dow FROM posts" }

const qFine = "SELECT toDayOfWeek(toTimeZone(published_at, 'Asia/Jakarta')) FROM posts ANY LEFT JOIN (SELECT 1 AS x) AS o USING x"
