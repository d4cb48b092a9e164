"""The models area: the Models page, finding and downloading models, and the first screen."""
