package auth

import (
	"bufio"
	_ "embed"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Password policy (NIST SP 800-63B, 3.1.1.2): a minimum length, a maximum
// generous enough for pass phrases, no composition rules, no periodic
// change, and a check against passwords people pick first and words of
// the service and the account. A refused password is answered with the
// reason, in both languages.

// MinPasswordLen is the default minimum length (characters).
const MinPasswordLen = 12

// MaxPasswordLen is the longest password accepted (characters): long
// enough for any pass phrase, short enough not to slow hashing.
const MaxPasswordLen = 128

//go:embed commonpasswords.txt
var commonPasswordsText string

// commonPasswords are the lines of commonpasswords.txt, lower case.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		m[strings.ToLower(l)] = true
		m[strings.ReplaceAll(strings.ToLower(l), " ", "")] = true
	}
	return m
}()

// PasswordError says why a password is refused (Message in English,
// MessageID in Bahasa Indonesia).
type PasswordError struct {
	Message, MessageID string
}

func (e *PasswordError) Error() string { return "password refused: " + e.Message }

func pwErr(en, id string, args ...any) *PasswordError {
	return &PasswordError{Message: fmt.Sprintf(en, args...), MessageID: fmt.Sprintf(id, args...)}
}

// PasswordPolicy checks new passwords.
type PasswordPolicy struct {
	// MinLen is the minimum length in characters (MinPasswordLen when 0).
	MinLen int
}

// Check refuses a password that is too short or long, common, built on a
// common word, repetitive or sequential, or that contains the user's name
// or e-mail name. name and email may be empty.
func (pp PasswordPolicy) Check(pw, name, email string) error {
	minLen := pp.MinLen
	if minLen <= 0 {
		minLen = MinPasswordLen
	}
	pw = normalizePassword(pw)
	n := utf8.RuneCountInString(pw)
	switch {
	case n < minLen:
		return pwErr("use at least %d characters (this one has %d); a phrase of a few words is easy to remember",
			"gunakan sedikitnya %d karakter (ini %d); frasa beberapa kata mudah diingat", minLen, n)
	case n > MaxPasswordLen:
		return pwErr("use at most %d characters", "gunakan paling banyak %d karakter", MaxPasswordLen)
	}
	lower := strings.ToLower(pw)
	for _, part := range accountParts(name, email) {
		if strings.Contains(lower, part) {
			return pwErr("the password contains your user name or e-mail name (%q)",
				"kata sandi memuat nama pengguna atau nama e-mail Anda (%q)", part)
		}
	}
	if isCommon(lower) {
		return pwErr("this password is on the list of passwords people pick first (or built on one of them); choose another",
			"kata sandi ini termasuk yang paling sering dipakai orang (atau dibangun dari salah satunya); pilih yang lain")
	}
	if repetitive(lower) {
		return pwErr("the password repeats or counts up a few characters (like aaaa… or 1234…); choose another",
			"kata sandi hanya mengulang atau mengurutkan beberapa karakter (mis. aaaa… atau 1234…); pilih yang lain")
	}
	return nil
}

// accountParts are the name, the e-mail's local part, and their pieces of
// four or more characters split at . _ - @.
func accountParts(name, email string) []string {
	var out []string
	add := func(s string) {
		s = strings.ToLower(strings.TrimSpace(s))
		if utf8.RuneCountInString(s) >= 4 {
			out = append(out, s)
		}
	}
	local, _, _ := strings.Cut(email, "@")
	for _, s := range []string{name, local} {
		add(s)
		for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '_' || r == '-' || r == '@' }) {
			add(p)
		}
	}
	return out
}

// isCommon: a listed password, or a listed word with digits, punctuation
// or spaces around it, or a listed word repeated.
func isCommon(lower string) bool {
	if commonPasswords[lower] {
		return true
	}
	core := strings.TrimFunc(lower, func(r rune) bool {
		return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)
	})
	if core == "" || commonPasswords[core] || commonPasswords[strings.ReplaceAll(core, " ", "")] {
		return true
	}
	// A word repeated: "sayangsayang", "qwertyqwerty".
	for l := 1; l <= len(core)/2; l++ {
		if len(core)%l == 0 && strings.Repeat(core[:l], len(core)/l) == core && (commonPasswords[core[:l]] || l <= 3) {
			return true
		}
	}
	return false
}

// repetitive: fewer than five different characters, or a run that only
// counts up or down (abcdefghijkl, 987654321098).
func repetitive(lower string) bool {
	distinct := map[rune]bool{}
	for _, r := range lower {
		distinct[r] = true
	}
	if len(distinct) < 5 {
		return true
	}
	rs := []rune(lower)
	up, down := true, true
	for i := 1; i < len(rs); i++ {
		d := rs[i] - rs[i-1]
		if d != 1 && d != -9 { // 9→0 continues a count
			up = false
		}
		if d != -1 && d != 9 {
			down = false
		}
	}
	return up || down
}
