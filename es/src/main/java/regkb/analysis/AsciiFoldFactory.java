package regkb.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/** "één" matches "een", "Zürich" matches "zurich" (tantivy: AsciiFoldingFilter). */
@NamedComponent("regkb_asciifold")
public class AsciiFoldFactory implements TokenFilterFactory {
    @Override
    public TokenStream create(TokenStream in) {
        return new ASCIIFoldingFilter(in);
    }

    @Override
    public TokenStream normalize(TokenStream in) {
        return new ASCIIFoldingFilter(in);
    }
}
