module example.com/dockmod-e2e-go

go 1.22
