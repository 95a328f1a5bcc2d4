module sidecarinjector/gotemplate-oracle

go 1.26
