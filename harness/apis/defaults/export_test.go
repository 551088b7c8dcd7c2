package defaults

// ImageTag exposes imageTag to the external tests.
var ImageTag = imageTag
