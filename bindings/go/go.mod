module github.com/chconnect/chconnect-go

go 1.21
