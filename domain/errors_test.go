package domain_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

// wrapped returns err through a deferred domain.Wrap, the way a use case does.
func wrapped(op string, err error) (out error) {
	defer domain.Wrap(&out, op)
	return err
}

func TestKindString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind domain.Kind
		want string
	}{
		{domain.KindInternal, "internal"},
		{domain.KindInvalid, "invalid"},
		{domain.KindNotFound, "not found"},
		{domain.KindConflict, "conflict"},
		{domain.KindForbidden, "forbidden"},
		{domain.KindUnavailable, "unavailable"},
		{domain.Kind(200), "internal"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.kind.String())
	}
}

func TestKindOf(t *testing.T) {
	t.Parallel()
	notFound := domain.Errorf(domain.KindNotFound, "no such form")
	tests := []struct {
		name string
		err  error
		want domain.Kind
	}{
		{"nil", nil, domain.KindInternal},
		{"plain error", errors.New("boom"), domain.KindInternal},
		{"classified", notFound, domain.KindNotFound},
		{"fmt %w", fmt.Errorf("loading form: %w", notFound), domain.KindNotFound},
		{"fmt %w twice", fmt.Errorf("a: %w", fmt.Errorf("b: %w", notFound)), domain.KindNotFound},
		{"Wrap", wrapped("app.GetForm", notFound), domain.KindNotFound},
		{"Wrap of fmt %w of Wrap", wrapped("app.Outer", fmt.Errorf("step: %w", wrapped("app.Inner", notFound))), domain.KindNotFound},
		{"fmt %w of Wrap", fmt.Errorf("handler: %w", wrapped("app.GetForm", notFound)), domain.KindNotFound},
		{"unclassified Error around classified", &domain.Error{Op: "op", Err: notFound}, domain.KindNotFound},
		{"outermost classified wins", &domain.Error{Kind: domain.KindConflict, Err: fmt.Errorf("x: %w", notFound)}, domain.KindConflict},
		{"Error around plain error", &domain.Error{Op: "op", Err: errors.New("boom")}, domain.KindInternal},
		{"Wrap of plain error", wrapped("app.Op", errors.New("boom")), domain.KindInternal},
		{"fmt %v drops the kind", fmt.Errorf("x: %v", notFound), domain.KindInternal},
		{"errors.Join", errors.Join(errors.New("a"), notFound), domain.KindNotFound},
		{"unavailable through Wrap", wrapped("app.Op", domain.Errorf(domain.KindUnavailable, "busy")), domain.KindUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, domain.KindOf(tt.err))
		})
	}
}

func TestSafeMessage(t *testing.T) {
	t.Parallel()
	const secret = "pupil Alice Smith said hunter2"
	cause := errors.New(secret)
	safe := &domain.Error{Kind: domain.KindInvalid, Safe: domain.Say("Please write a message."), Err: cause}
	const (
		genericInternal    = "Something went wrong on our side. Please try again."
		genericNotFound    = "Not found."
		genericUnavailable = "The service is busy. Please try again in a moment."
	)
	tests := []struct {
		name string
		err  error
		want string // "" when any generic sentence will do
	}{
		{"plain error", cause, genericInternal},
		{"fmt %w of plain error", fmt.Errorf("query: %w", cause), genericInternal},
		{"Wrap of plain error", wrapped("app.Op", cause), genericInternal},
		{"kind without safe text", &domain.Error{Kind: domain.KindInvalid, Err: cause}, ""},
		{"not found without safe text", &domain.Error{Kind: domain.KindNotFound, Err: cause}, genericNotFound},
		{"unavailable without safe text", &domain.Error{Kind: domain.KindUnavailable, Err: cause}, genericUnavailable},
		{"unavailable wrapped", wrapped("app.Op", fmt.Errorf("db: %w", &domain.Error{Kind: domain.KindUnavailable, Err: cause})), genericUnavailable},
		{"op only", &domain.Error{Op: "app.Op", Err: cause}, genericInternal},
		{"safe text over a secret cause", safe, "Please write a message."},
		{"safe text through Wrap and fmt %w", wrapped("app.Outer", fmt.Errorf("saving %s: %w", secret, safe)), "Please write a message."},
		{"first safe text wins", &domain.Error{Safe: domain.Say("Outer."), Err: safe}, "Outer."},
		{"Errorf", domain.Errorf(domain.KindConflict, "The code %s is taken.", "OAK"), "The code OAK is taken."},
		{"empty safe text falls back", domain.Errorf(domain.KindNotFound, ""), genericNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := domain.SafeMessage(tt.err)
			assert.NotContains(t, got, "hunter2")
			assert.NotContains(t, got, "Alice")
			assert.NotEmpty(t, got)
			if tt.want != "" {
				assert.Equal(t, tt.want, got)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	cause := errors.New("disk full")
	inner := domain.Errorf(domain.KindNotFound, "no such form")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"zero", &domain.Error{}, "internal"},
		{"kind only", &domain.Error{Kind: domain.KindInvalid}, "invalid"},
		{"op and kind", &domain.Error{Op: "app.X", Kind: domain.KindNotFound}, "app.X: not found"},
		{"safe only", &domain.Error{Safe: domain.Say("Nope.")}, "Nope."},
		{"cause only", &domain.Error{Err: cause}, "disk full"},
		{"safe and cause", &domain.Error{Safe: domain.Say("Nope."), Err: cause}, "Nope.: disk full"},
		{"op, safe and cause", &domain.Error{Op: "app.X", Kind: domain.KindConflict, Safe: domain.Say("Nope."), Err: cause}, "app.X: Nope.: disk full"},
		{"Errorf", domain.Errorf(domain.KindInvalid, "bad %d", 7), "bad 7"},
		{"Wrap", wrapped("app.GetForm", inner), "app.GetForm: no such form"},
		{"Wrap twice", wrapped("app.Outer", wrapped("app.Inner", inner)), "app.Outer: app.Inner: no such form"},
		{"Wrap of fmt %w", wrapped("app.Outer", fmt.Errorf("load: %w", cause)), "app.Outer: load: disk full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

func TestWrap(t *testing.T) {
	t.Parallel()
	t.Run("nil stays nil", func(t *testing.T) {
		t.Parallel()
		assert.NoError(t, wrapped("app.Op", nil))
	})
	t.Run("keeps the cause, kind and safe text", func(t *testing.T) {
		t.Parallel()
		inner := domain.Errorf(domain.KindConflict, "The code is taken.")
		err := wrapped("app.CreateForm", inner)
		assert.ErrorIs(t, err, inner)
		var e *domain.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "app.CreateForm", e.Op)
		assert.Equal(t, domain.KindConflict, domain.KindOf(err))
		assert.Equal(t, "The code is taken.", domain.SafeMessage(err))
	})
}

func TestErrorf(t *testing.T) {
	t.Parallel()
	err := domain.Errorf(domain.KindForbidden, "you may not %s", "do that")
	var e *domain.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, domain.Error{Kind: domain.KindForbidden, Safe: domain.Say("you may not %s", "do that")}, *e,
		"the key and its arguments are kept apart, for the edge to say in its reader's language")
	assert.Equal(t, "you may not do that", domain.SafeMessage(err))
}

func TestWords(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "a name is at most 100 characters", domain.Say("a name is at most %d characters", 100).String())
	assert.Equal(t, "100% sure", domain.Say("100% sure").String(), "a key without arguments is its own text")
	assert.True(t, domain.Words{}.IsZero())
	assert.False(t, domain.Say("x").IsZero())

	inner := domain.Errorf(domain.KindInvalid, "a name is at most %d characters", 100)
	assert.Equal(t, domain.Say("a name is at most %d characters", 100), domain.SafeWords(wrapped("app.Op", fmt.Errorf("x: %w", inner))),
		"the words come through wrapping as they were said")
	assert.Equal(t, domain.Say("Not found."), domain.SafeWords(&domain.Error{Kind: domain.KindNotFound}), "a kind's generic words")
	assert.Equal(t, domain.Say("Something went wrong on our side. Please try again."), domain.SafeWords(errors.New("boom")))
}

func TestProblemsKeepTheirWords(t *testing.T) {
	t.Parallel()
	var p domain.Problems
	assert.False(t, p.Add("name", nil))
	assert.True(t, p.Add("name", domain.Errorf(domain.KindInvalid, "a name is at most %d characters", 100)))
	assert.True(t, p.Add("email", errors.New("secret cause")))
	assert.Equal(t, domain.Problems{
		{Field: "name", Safe: domain.Say("a name is at most %d characters", 100)},
		{Field: "email", Safe: domain.Say("Something went wrong on our side. Please try again.")},
	}, p)
	assert.Equal(t, "a name is at most 100 characters", p.Of("name"))
	assert.Empty(t, p.Of("message"))
	err := p.Invalid()
	assert.Equal(t, domain.KindInvalid, domain.KindOf(err))
	assert.Equal(t, p[0].Safe, domain.SafeWords(err))
	assert.Equal(t, p, domain.ProblemsOf(wrapped("app.Op", err)))
}
