package store

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A value with no binding is refused, not written some other way; so is
// text with a NUL byte, which bun refuses too.
func TestBindValueRefusesWhatItCannotBind(t *testing.T) {
	_, err := bindValue(reflect.ValueOf(struct{}{}))
	assert.Error(t, err)
	_, err = bindValue(reflect.ValueOf("a\x00b"))
	assert.Error(t, err)
	v, err := bindValue(reflect.ValueOf((*string)(nil)))
	require.NoError(t, err)
	assert.Nil(t, v, "a nil pointer is NULL")
	v, err = bindValue(reflect.ValueOf([]byte(nil)))
	require.NoError(t, err)
	assert.Nil(t, v, "so is a nil blob")
}
