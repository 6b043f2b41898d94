"""Web interfaces: the Gradio chat page and the HTTP endpoints around it."""
