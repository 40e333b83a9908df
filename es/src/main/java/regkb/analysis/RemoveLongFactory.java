package regkb.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.LengthFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/** Drops tokens of 40 characters or more (tantivy: RemoveLongFilter::limit(40)): hashes, URLs, OCR junk. */
@NamedComponent("regkb_remove_long")
public class RemoveLongFactory implements TokenFilterFactory {
    @Override
    public TokenStream create(TokenStream in) {
        return new LengthFilter(in, 0, 39);
    }
}
