"""placeholder"""
def link_documents(docs):
    return docs
